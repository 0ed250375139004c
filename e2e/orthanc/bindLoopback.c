/*
 * LD_PRELOAD shim for the test PACS: Orthanc 1.10 binds its HTTP and DICOM
 * ports on every interface and has no setting to change that. This shim
 * rewrites any bind() to a wildcard address (0.0.0.0 or ::) so the socket
 * binds to loopback (127.0.0.1 or ::1) instead. Specific addresses are left
 * alone. Compiled at test time by e2e/orthanc/orthanc.ts with the system cc.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
  static bind_fn real_bind = 0;
  if (!real_bind) real_bind = (bind_fn)dlsym(RTLD_NEXT, "bind");
  if (!real_bind) {
    errno = ENOSYS;
    return -1;
  }
  if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    struct sockaddr_in copy;
    memcpy(&copy, addr, sizeof copy);
    if (copy.sin_addr.s_addr == htonl(INADDR_ANY)) {
      copy.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return real_bind(fd, (const struct sockaddr *)&copy, sizeof copy);
    }
  } else if (addr && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
    struct sockaddr_in6 copy6;
    memcpy(&copy6, addr, sizeof copy6);
    if (memcmp(&copy6.sin6_addr, &in6addr_any, sizeof(struct in6_addr)) == 0) {
      copy6.sin6_addr = in6addr_loopback;
      return real_bind(fd, (const struct sockaddr *)&copy6, sizeof copy6);
    }
  }
  return real_bind(fd, addr, len);
}
