import FileErrors
import Foundation

/// Moves (or copies) a message's files out of the spool into the archive or the
/// quarantine. Destinations are built only from values this service chose (ids, dates,
/// sanitised names), never from raw spool or metadata values.
public struct FileMover {
    var keepOriginals: Bool
    /// Folders this mover made or found, so a batch does not ask for each one per file.
    private var knownFolders: Set<String> = []

    public init(keepOriginals: Bool) {
        self.keepOriginals = keepOriginals
    }

    /// Puts `file` at `destination`, replacing a partial copy left by an interrupted run.
    mutating func place(_ file: URL, at destination: URL) throws(FileError) {
        let manager = FileManager.default
        let folder = destination.deletingLastPathComponent().path
        if !knownFolders.contains(folder) {
            try FileError.createFolder(folder)
            knownFolders.insert(folder)
        }
        let attempt = "cannot \(keepOriginals ? "copy" : "move") \(file.path) to \(destination.path)"
        if !keepOriginals {
            // rename(2) replaces the destination atomically; only a move to another file
            // system needs the copy below.
            if rename(file.path, destination.path) == 0 { return }
            let code = errno
            guard code == EXDEV else { throw Self.failure(attempt, file, FileError(attempt, path: destination.path, code: code)) }
        }
        do {
            if manager.fileExists(atPath: destination.path) { try manager.removeItem(at: destination) }
            if keepOriginals {
                try manager.copyItem(at: file, to: destination)
            } else {
                try manager.moveItem(at: file, to: destination)
            }
        } catch {
            throw Self.failure(attempt, file, FileError(attempt, path: destination.path, error: error))
        }
    }

    /// Why `source` could not be put in place. The error is read as being about the
    /// destination, but a source that has gone (a PBX deleting its message) is the story
    /// then, whatever the destination's error number suggests.
    private static func failure(_ attempt: String, _ source: URL, _ destinationError: FileError) -> FileError {
        guard FileManager.default.fileExists(atPath: source.path) else {
            return FileError(attempt, reason: "\(source.path) is no longer there", code: ENOENT)
        }
        return destinationError
    }

    /// Quarantines `files` in their own folder with a `.reason` file saying why.
    public mutating func quarantine(_ files: [URL], in folder: URL, reason: String) throws(FileError) {
        try FileError.createFolder(folder.path)
        for file in files {
            try place(file, at: folder.appendingPathComponent(file.lastPathComponent))
        }
        let reasonFile = folder.appendingPathComponent(".reason")
        do {
            try Data((reason + "\n").utf8).write(to: reasonFile, options: .atomic)
        } catch {
            throw FileError("cannot write \(reasonFile.path)", path: reasonFile.path, error: error)
        }
    }

    /// A path component safe to create: letters, digits, `-`, `_` and `.` only, never `..`.
    public static func safeComponent(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }.prefix(64))
        return cleaned.isEmpty ? "_" : cleaned
    }
}
