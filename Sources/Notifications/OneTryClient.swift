import AsyncHTTPClient
import NIOCore
import Settings

/// The HTTP client for webhooks and the remote command line: AsyncHTTPClient's shared
/// configuration, except that a connection that cannot be made fails at once ("connection
/// refused") instead of being retried until the request's deadline. The outbox retries a
/// webhook with its own backoff; a person at the command line wants the answer now.
/// Created on first use, so commands that never reach a server start no event loop.
public enum OneTryClient {
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
