import Foundation

/// Moves (or copies) a message's files out of the spool into the archive or the
/// quarantine. Destinations are built only from values this service chose (ids, dates,
/// sanitised names), never from raw spool or metadata values.
struct FileMover {
    var keepOriginals: Bool

    /// Puts `file` at `destination`, replacing a partial copy left by an interrupted run.
    func place(_ file: URL, at destination: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if manager.fileExists(atPath: destination.path) { try manager.removeItem(at: destination) }
        if keepOriginals {
            try manager.copyItem(at: file, to: destination)
        } else {
            try manager.moveItem(at: file, to: destination)
        }
    }

    /// Quarantines `files` in their own folder with a `.reason` file saying why.
    func quarantine(_ files: [URL], in folder: URL, reason: String) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in files {
            try place(file, at: folder.appendingPathComponent(file.lastPathComponent))
        }
        try Data((reason + "\n").utf8).write(to: folder.appendingPathComponent(".reason"), options: .atomic)
    }

    /// A path component safe to create: letters, digits, `-`, `_` and `.` only, never `..`.
    static func safeComponent(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }.prefix(64))
        return cleaned.isEmpty ? "_" : cleaned
    }
}
