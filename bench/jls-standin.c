/*
 * The bench's jls: FreeBSD's jls(8) is a small C program that answers in about a millisecond,
 * where the test shim (test/doubles/shims/jls) is a node script (a whole node start per call).
 * The hook may call jls once per batch of finished starts, so a shim per call would measure
 * node's start, not the hook. This stand-in is a C program too: for the hook's own arguments
 * (`--libxo json jid name`) it prints the file the kleened double keeps current
 * (KLEENE_BENCH_JLS_OUT, bench/double/memo-state.mjs) and appends `jls START END mirror` (seconds
 * since the epoch, microseconds) to KLEENE_BENCH_JLS_LOG; any other arguments are logged as
 * `other` and handed to the shim (KLEENE_BENCH_JLS_SHIM, with KLEENE_SIM_STATE set to
 * KLEENE_BENCH_JLS_STATE). bench/sim.ts compiles it with cc; the bench reports its cost
 * against /bin/true.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void note(const char *log, double start, const char *how) {
  char line[128];
  int fd, n;
  if (!log) return;
  n = snprintf(line, sizeof line, "jls %.6f %.6f %s\n", start, now(), how);
  fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) return;
  if (write(fd, line, (size_t)n) < 0) { /* the count is lost, the answer is not */ }
  close(fd);
}

int main(int argc, char **argv) {
  double start = now();
  const char *out = getenv("KLEENE_BENCH_JLS_OUT");
  const char *log = getenv("KLEENE_BENCH_JLS_LOG");
  const char *shim = getenv("KLEENE_BENCH_JLS_SHIM");
  const char *state = getenv("KLEENE_BENCH_JLS_STATE");
  char buf[65536];
  ssize_t n;
  int fd;
  if (out && argc == 5 && !strcmp(argv[1], "--libxo") && !strcmp(argv[2], "json") && !strcmp(argv[3], "jid") && !strcmp(argv[4], "name")) {
    fd = open(out, O_RDONLY);
    if (fd < 0) { perror(out); return 1; }
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      if (write(1, buf, (size_t)n) != n) return 1;
    }
    close(fd);
    if (n < 0) return 1;
    note(log, start, "mirror");
    return 0;
  }
  note(log, start, "other");
  if (!shim) { fputs("jls stand-in: KLEENE_BENCH_JLS_SHIM is not set\n", stderr); return 1; }
  if (state) setenv("KLEENE_SIM_STATE", state, 1);
  argv[0] = (char *)shim;
  execv(shim, argv);
  perror(shim);
  return 1;
}
