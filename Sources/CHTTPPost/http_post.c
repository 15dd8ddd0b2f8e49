#include "http_post.h"
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef CURLcode (*global_init_f)(long);
typedef CURL *(*easy_init_f)(void);
typedef CURLcode (*easy_setopt_f)(CURL *, CURLoption, ...);
typedef CURLcode (*easy_perform_f)(CURL *);
typedef CURLcode (*easy_getinfo_f)(CURL *, CURLINFO, ...);
typedef void (*easy_cleanup_f)(CURL *);
typedef const char *(*easy_strerror_f)(CURLcode);
typedef struct curl_slist *(*slist_append_f)(struct curl_slist *, const char *);
typedef void (*slist_free_all_f)(struct curl_slist *);

static struct {
    easy_init_f easy_init;
    easy_setopt_f easy_setopt;
    easy_perform_f easy_perform;
    easy_getinfo_f easy_getinfo;
    easy_cleanup_f easy_cleanup;
    easy_strerror_f easy_strerror;
    slist_append_f slist_append;
    slist_free_all_f slist_free_all;
    const char *failure;
} curl;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void) {
    void *handle = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!handle) { curl.failure = "cannot load libcurl (install libcurl4)"; return; }
    global_init_f global_init = (global_init_f)dlsym(handle, "curl_global_init");
    curl.easy_init = (easy_init_f)dlsym(handle, "curl_easy_init");
    curl.easy_setopt = (easy_setopt_f)dlsym(handle, "curl_easy_setopt");
    curl.easy_perform = (easy_perform_f)dlsym(handle, "curl_easy_perform");
    curl.easy_getinfo = (easy_getinfo_f)dlsym(handle, "curl_easy_getinfo");
    curl.easy_cleanup = (easy_cleanup_f)dlsym(handle, "curl_easy_cleanup");
    curl.easy_strerror = (easy_strerror_f)dlsym(handle, "curl_easy_strerror");
    curl.slist_append = (slist_append_f)dlsym(handle, "curl_slist_append");
    curl.slist_free_all = (slist_free_all_f)dlsym(handle, "curl_slist_free_all");
    if (!global_init || !curl.easy_init || !curl.easy_setopt || !curl.easy_perform || !curl.easy_getinfo ||
        !curl.easy_cleanup || !curl.easy_strerror || !curl.slist_append || !curl.slist_free_all) {
        curl.failure = "libcurl lacks a function afterhours needs";
        return;
    }
    if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) curl.failure = "libcurl could not start";
}

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data; (void)context;
    return size * count;
}

int afterhours_http_post(const char *url, const char *body, size_t body_length,
                         const char *const *headers, size_t header_count, long timeout_seconds,
                         long *status, char *error, size_t error_size) {
    pthread_once(&loaded, load);
    if (curl.failure) { snprintf(error, error_size, "%s", curl.failure); return 1; }
    CURL *handle = curl.easy_init();
    if (!handle) { snprintf(error, error_size, "libcurl could not make a request"); return 1; }
    struct curl_slist *list = NULL;
    for (size_t index = 0; index < header_count; index++) list = curl.slist_append(list, headers[index]);
    curl.easy_setopt(handle, CURLOPT_URL, url);
    curl.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl.easy_setopt(handle, CURLOPT_POST, 1L);
    curl.easy_setopt(handle, CURLOPT_POSTFIELDS, body);
    curl.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_length);
    curl.easy_setopt(handle, CURLOPT_HTTPHEADER, list);
    curl.easy_setopt(handle, CURLOPT_TIMEOUT, timeout_seconds);
    curl.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl.easy_setopt(handle, CURLOPT_WRITEFUNCTION, discard);
    CURLcode code = curl.easy_perform(handle);
    int result = 0;
    if (code == CURLE_OK) {
        curl.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, status);
    } else {
        snprintf(error, error_size, "%s", curl.easy_strerror(code));
        result = 1;
    }
    curl.slist_free_all(list);
    curl.easy_cleanup(handle);
    return result;
}
