#ifndef AFTERHOURS_HTTP_POST_H
#define AFTERHOURS_HTTP_POST_H
#include <stddef.h>

/// POSTs `body` to `url` (http or https) with the given header lines, through libcurl,
/// which is loaded with dlopen on first use so that commands that never send a webhook
/// do not load it (nor the TLS and Kerberos libraries behind it).
/// Returns 0 when an HTTP exchange completed (its status in *status); otherwise nonzero
/// with a sentence in `error`.
int afterhours_http_post(const char *url, const char *body, size_t body_length,
                         const char *const *headers, size_t header_count, long timeout_seconds,
                         long *status, char *error, size_t error_size);
#endif
