import Foundation

/// A file system failure in one sentence a person can act on, instead of Foundation's
/// `Error Domain=NSCocoaErrorDomain Code=512 "(null)"`.
public enum FileProblem {
    /// "cannot archive into /var/lib/afterhours/audio: no space left on the device".
    public static func describe(_ error: any Error, doing what: String) -> String {
        "cannot \(what): \(reason(error))"
    }

    /// The POSIX reason behind `error`, in words.
    public static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        var code: Int32?
        if let move = error as? MoveError {
            code = move.code
        } else if nsError.domain == NSPOSIXErrorDomain {
            code = Int32(nsError.code)
        } else if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            code = Int32(underlying.code)
        } else if let posix = error as? POSIXError {
            code = posix.code.rawValue
        }
        switch code {
        case ENOSPC?: return "no space left on the device"
        case EDQUOT?: return "the disk quota is used up"
        case EACCES?, EPERM?: return "permission denied"
        case EROFS?: return "the file system is read-only"
        case ENOTDIR?: return "part of the path is a file, not a folder"
        case ENOENT?: return "no such file or folder"
        case EEXIST?: return "something is already there"
        case let code?: return String(cString: strerror(code)).lowercased()
        case nil:
            if let path = nsError.userInfo[NSFilePathErrorKey] as? String {
                return diagnose(path)
            }
            return nsError.localizedFailureReason ?? "\(error)"
        }
    }

    /// Foundation often gives no reason when it cannot create a folder: find it on disk.
    static func diagnose(_ path: String) -> String {
        var ancestor = URL(fileURLWithPath: path)
        while ancestor.path != "/" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isFolder) {
                if !isFolder.boolValue { return "\(ancestor.path) is a file, not a folder" }
                if access(ancestor.path, W_OK) != 0 { return "\(ancestor.path) is not writable (permission denied)" }
                var space = statvfs()
                if statvfs(ancestor.path, &space) == 0, space.f_bavail == 0 { return "no space left on the device holding \(ancestor.path)" }
                return "\(path) could not be written in \(ancestor.path)"
            }
            ancestor.deleteLastPathComponent()
        }
        return "\(path) could not be written"
    }
}
