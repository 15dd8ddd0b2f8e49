import Foundation

/// A file or folder that could not be made, written or moved, as the one sentence people
/// read: what was attempted, on which path, and what is wrong, in words they can act on
/// ("/srv/ah/d.yaml is a file, not a folder"). Foundation's own text for these is
/// `Error Domain=NSCocoaErrorDomain Code=512 "(null)"…` or "The operation could not be
/// completed", which says neither.
public struct FileError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    /// What was attempted: "cannot create the folder /srv/ah/d.yaml/sub for the database".
    public let attempt: String
    /// What is wrong: "/srv/ah/d.yaml is a file, not a folder".
    public let reason: String
    /// The system's error number behind it, when there is one.
    public let code: Int32?

    public init(_ attempt: String, reason: String, code: Int32? = nil) {
        self.attempt = attempt
        self.reason = reason
        self.code = code
    }

    /// `error`, thrown by Foundation or the system while attempting something on `path`.
    public init(_ attempt: String, path: String, error: any Error) {
        if let code = Self.posixCode(of: error) {
            self.init(attempt, path: path, code: code)
        } else {
            let error = error as NSError
            self.init(attempt, reason: "the system refused (\(error.domain) error \(error.code))")
        }
    }

    /// A system call on `path` that failed with `code` (its `errno`).
    public init(_ attempt: String, path: String, code: Int32) {
        self.init(attempt, reason: Self.reason(for: code, path: path), code: code)
    }

    public var description: String { "\(attempt): \(reason)" }
    public var errorDescription: String? { description }

    /// Creates the folder `path` with any missing parents; `purpose` says what it is for
    /// ("spool.path", "the database").
    public static func createFolder(_ path: String, for purpose: String? = nil) throws(FileError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError("cannot create the folder \(path)" + (purpose.map { " for \($0)" } ?? ""), path: path, error: error)
        }
    }

    /// The errno behind a Foundation error: its underlying POSIX error, else what its
    /// Cocoa code stands for.
    static func posixCode(of error: any Error) -> Int32? {
        if let error = error as? POSIXError { return error.code.rawValue }
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        // On Linux the underlying error may be a Swift `POSIXError` rather than an NSError.
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error, let code = posixCode(of: underlying) {
            return code
        }
        guard error.domain == NSCocoaErrorDomain else { return nil }
        switch CocoaError.Code(rawValue: error.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return ENOENT
        case .fileReadNoPermission, .fileWriteNoPermission: return EACCES
        case .fileWriteOutOfSpace: return ENOSPC
        case .fileWriteVolumeReadOnly: return EROFS
        case .fileWriteFileExists: return EEXIST
        default: return nil
        }
    }

    /// `code` in words, about `path`. A missing or not-a-folder error is traced to the part
    /// of the path at fault: the user wrote `d.yaml/sub/x.sqlite`, and it is `d.yaml` that
    /// is in the way.
    static func reason(for code: Int32, path: String) -> String {
        switch code {
        case ENOTDIR, ENOENT, EEXIST:
            var candidate = URL(fileURLWithPath: path).standardizedFileURL
            var below: URL?
            while true {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder) {
                    if !isFolder.boolValue { return "\(candidate.path) is a file, not a folder" }
                    if code == EEXIST { return "\(candidate.path) already exists" }
                    return "\((below ?? candidate).path) does not exist"
                }
                guard candidate.path != "/" else { break }
                below = candidate
                candidate = candidate.deletingLastPathComponent()
            }
            return code == ENOTDIR ? "a part of \(path) is not a folder" : "\(path) does not exist"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "no space left on the device"
        case EDQUOT: return "the disk quota is used up"
        case EROFS: return "the file system is read-only"
        case EISDIR: return "\(path) is a folder, not a file"
        case ENAMETOOLONG: return "the name is too long"
        case ELOOP: return "too many symbolic links (a loop?)"
        case EXDEV: return "it is on another file system"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }
}
