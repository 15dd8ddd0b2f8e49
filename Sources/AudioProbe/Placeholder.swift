// TEMPORARY placeholder until the libsndfile probe lands.
import Foundation
public struct AudioInfo: Sendable, Equatable, Codable { public var format: String; public var sampleRate: Int, channels: Int, frames: Int64; public var durationSeconds: Double; public var peak: Double, rms: Double; public var speechSeconds: Double; public var silent: Bool }
public struct AudioProbeError: Error, CustomStringConvertible, Sendable, Equatable { public let path: String; public let message: String; public var description: String { "\(path): \(message)" } }
public struct AudioProbe: Sendable { public init(chunkFrames: Int = 4096) {}
  public func probe(_ url: URL) throws(AudioProbeError) -> AudioInfo { throw AudioProbeError(path: url.path, message: "probe not built yet") } }
