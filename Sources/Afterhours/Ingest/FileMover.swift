import Foundation

/// Moves (or copies) a message's files out of the spool into the archive or the
/// quarantine. Destinations are built only from values this service chose (ids, dates,
/// sanitised names), never from raw spool or metadata values.
struct FileMover {
    var keepOriginals: Bool
    /// Folders this mover made or found, so a batch does not ask for each one per file.
    private var knownFolders: Set<String> = []

    init(keepOriginals: Bool) {
        self.keepOriginals = keepOriginals
    }

    /// Puts `file` at `destination`, replacing a partial copy left by an interrupted run.
    mutating func place(_ file: URL, at destination: URL) throws {
        let manager = FileManager.default
        let folder = destination.deletingLastPathComponent().path
        if !knownFolders.contains(folder) {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            knownFolders.insert(folder)
        }
        if !keepOriginals {
            // rename(2) replaces the destination atomically; only a move to another file
            // system needs the copy below.
            if rename(file.path, destination.path) == 0 { return }
            let code = errno
            guard code == EXDEV else { throw MoveError(source: file.path, destination: destination.path, code: code) }
        }
        if manager.fileExists(atPath: destination.path) { try manager.removeItem(at: destination) }
        if keepOriginals {
            try manager.copyItem(at: file, to: destination)
        } else {
            try manager.moveItem(at: file, to: destination)
        }
    }

    /// Quarantines `files` in their own folder with a `.reason` file saying why.
    mutating func quarantine(_ files: [URL], in folder: URL, reason: String) throws {
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

/// A file that could not be renamed into place.
struct MoveError: LocalizedError {
    let source: String
    let destination: String
    let code: Int32

    var errorDescription: String? { "cannot move \(source) to \(destination): \(String(cString: strerror(code)))" }
}
