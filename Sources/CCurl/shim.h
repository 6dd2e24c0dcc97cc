// libcurl (Debian's libcurl4-openssl-dev), for SMTP. Only the Mail target imports this module.
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: these typed
// wrappers pass each kind of argument the option documents.
#include <curl/curl.h>

typedef int (*beccaria_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *context);
typedef size_t (*beccaria_curl_read_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode beccaria_curl_setopt_long(CURL *handle, CURLoption option, long value) {
  return curl_easy_setopt(handle, option, value);
}
static inline CURLcode beccaria_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
  return curl_easy_setopt(handle, option, value);
}
static inline CURLcode beccaria_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
  return curl_easy_setopt(handle, option, value);
}
static inline CURLcode beccaria_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
  return curl_easy_setopt(handle, option, value);
}
static inline CURLcode beccaria_curl_setopt_mime(CURL *handle, curl_mime *value) {
  return curl_easy_setopt(handle, CURLOPT_MIMEPOST, value);
}
static inline CURLcode beccaria_curl_setopt_debug(CURL *handle, beccaria_curl_debug_callback callback) {
  return curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, callback);
}
static inline CURLcode beccaria_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
  return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode beccaria_curl_global_init(void) {
  return curl_global_init(CURL_GLOBAL_DEFAULT);
}
