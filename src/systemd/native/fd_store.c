// loggingserver's fd-store addon: what the sd-notify package cannot do. Node cannot pass file descriptors over
// a datagram socket (no SCM_RIGHTS), so storing log connections in systemd's fd store on SIGTERM needs
// sd_pid_notify_with_fds(3); sd_notify_barrier(3) makes sure systemd has taken them before the process exits;
// memfd_create(2) holds the hand-over manifest (Node has no API for it); the type of the job systemd runs on our
// unit (sd-bus) tells a `systemctl stop` from a restart, which systemd 252 does not say at SIGTERM; SO_PEERCRED
// names the process at the other end of a Unix log connection (Node has no getsockopt). Plain N-API (ABI-stable across Node
// versions), no node-addon-api dependency. Errors become JS exceptions carrying the errno name in `code`.
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#define MAX_FDS 253 /* SCM_MAX_FD: the kernel refuses more in one message */

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_throw_error(env, strerrorname_np(err), message);
  return NULL;
}

static char *string_arg(napi_env env, napi_value value) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *text = malloc(length + 1);
  if (text == NULL) return NULL;
  if (napi_get_value_string_utf8(env, value, text, length + 1, &length) != napi_ok) {
    free(text);
    return NULL;
  }
  return text;
}

// notifyWithFds(state: string, fds: number[]): number — sd_pid_notify_with_fds(0, 0, …): > 0 sent, 0 when
// NOTIFY_SOCKET is unset. Throws on a send error.
static napi_value notify_with_fds(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool is_array = false;
  if (argc < 2 || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, NULL, "notifyWithFds(state: string, fds: number[])");
    return NULL;
  }
  uint32_t count = 0;
  napi_get_array_length(env, argv[1], &count);
  if (count > MAX_FDS) {
    napi_throw_range_error(env, NULL, "notifyWithFds: at most 253 fds in one message");
    return NULL;
  }
  int fds[MAX_FDS];
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    napi_get_element(env, argv[1], i, &element);
    if (napi_get_value_int32(env, element, &fds[i]) != napi_ok || fds[i] < 0) {
      napi_throw_type_error(env, NULL, "notifyWithFds: fds must be non-negative integers");
      return NULL;
    }
  }
  char *state = string_arg(env, argv[0]);
  if (state == NULL) {
    napi_throw_type_error(env, NULL, "notifyWithFds: state must be a string");
    return NULL;
  }
  int r = sd_pid_notify_with_fds(0, 0, state, count > 0 ? fds : NULL, count);
  free(state);
  if (r < 0) return throw_errno(env, "sd_pid_notify_with_fds", -r);
  napi_value result;
  napi_create_int32(env, r, &result);
  return result;
}

// barrier(timeoutMs: number): void — returns once systemd has processed every notification sent before it.
static napi_value barrier(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  double timeout_ms = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &timeout_ms) != napi_ok || !(timeout_ms >= 0)) {
    napi_throw_type_error(env, NULL, "barrier(timeoutMs: number)");
    return NULL;
  }
  int r = sd_notify_barrier(0, (uint64_t)(timeout_ms * 1000));
  if (r < 0) return throw_errno(env, "sd_notify_barrier", -r);
  return NULL;
}

// memfdCreate(name: string): number — an anonymous memory file (close-on-exec), for the hand-over manifest.
static napi_value memfd_create_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  char *name = argc < 1 ? NULL : string_arg(env, argv[0]);
  if (name == NULL) {
    napi_throw_type_error(env, NULL, "memfdCreate(name: string)");
    return NULL;
  }
  int fd = memfd_create(name, MFD_CLOEXEC);
  int err = errno;
  free(name);
  if (fd < 0) return throw_errno(env, "memfd_create", err);
  napi_value result;
  napi_create_int32(env, fd, &result);
  return result;
}

// unitJobType(): string | null — the type of the job systemd is running on this process's unit ("stop",
// "restart", …), or null when there is none or it cannot be asked (no system bus, not in a unit). The unit
// comes from systemd (GetUnitByPID), not sd_pid_get_unit(3): that reads /proc/1, which ProtectProc=invisible
// hides. Reads need no privilege; bounded by a 1 s timeout, since it runs while a stop waits.
static napi_value unit_job_type(napi_env env, napi_callback_info info) {
  (void)info;
  char *type = NULL;
  sd_bus *bus = NULL;
  sd_bus_message *unit_reply = NULL, *reply = NULL;
  sd_bus_error error = SD_BUS_ERROR_NULL;
  napi_value result;
  napi_get_null(env, &result);
  if (sd_bus_open_system(&bus) < 0) goto done;
  sd_bus_set_method_call_timeout(bus, 1000 * 1000);
  const char *unit_path = NULL;
  if (sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                         "GetUnitByPID", &error, &unit_reply, "u", (uint32_t)getpid()) < 0) goto done;
  if (sd_bus_message_read(unit_reply, "o", &unit_path) < 0) goto done;
  if (sd_bus_get_property(bus, "org.freedesktop.systemd1", unit_path, "org.freedesktop.systemd1.Unit", "Job", &error, &reply, "(uo)") < 0) goto done;
  uint32_t id = 0;
  const char *job_path = NULL;
  if (sd_bus_message_read(reply, "(uo)", &id, &job_path) < 0 || id == 0) goto done;
  if (sd_bus_get_property_string(bus, "org.freedesktop.systemd1", job_path, "org.freedesktop.systemd1.Job", "JobType", &error, &type) < 0) goto done;
  napi_create_string_utf8(env, type, NAPI_AUTO_LENGTH, &result);
done:
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  sd_bus_message_unref(unit_reply);
  sd_bus_flush_close_unref(bus);
  free(type);
  return result;
}

// peerCredentials(fd: number): {pid, uid, gid} — SO_PEERCRED(7) of a connected Unix socket: the process that
// connected, as the kernel recorded it at connect().
static napi_value peer_credentials(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peerCredentials(fd: number)");
    return NULL;
  }
  struct ucred cred;
  socklen_t length = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) < 0) return throw_errno(env, "getsockopt(SO_PEERCRED)", errno);
  napi_value result, pid, uid, gid;
  napi_create_object(env, &result);
  napi_create_int32(env, cred.pid, &pid);
  napi_create_uint32(env, cred.uid, &uid);
  napi_create_uint32(env, cred.gid, &gid);
  napi_set_named_property(env, result, "pid", pid);
  napi_set_named_property(env, result, "uid", uid);
  napi_set_named_property(env, result, "gid", gid);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"notifyWithFds", NULL, notify_with_fds, NULL, NULL, NULL, napi_enumerable, NULL},
      {"barrier", NULL, barrier, NULL, NULL, NULL, napi_enumerable, NULL},
      {"memfdCreate", NULL, memfd_create_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unitJobType", NULL, unit_job_type, NULL, NULL, NULL, napi_enumerable, NULL},
      {"peerCredentials", NULL, peer_credentials, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
