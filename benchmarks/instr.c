/* SPDX-License-Identifier: MIT */
/* instr.c — run this program under callgrind and read its dumps (instr.h). */
#include "instr.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRIGGER "desc: Trigger: Client Request: "
#define MAX_ARGS 32

/* Read one dump: its label (the trigger) and its "totals:" count. */
static int read_dump(const char *path, instr_count *c)
{
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char line[256];
  int have_label = 0, have_total = 0;
  while (fgets(line, sizeof line, f) && !(have_label && have_total)) {
    if (strncmp(line, TRIGGER, strlen(TRIGGER)) == 0) {
      snprintf(c->label, sizeof c->label, "%.*s", (int)strcspn(line + strlen(TRIGGER), "\n"),
               line + strlen(TRIGGER));
      have_label = 1;
    } else if (strncmp(line, "totals: ", 8) == 0) {
      c->ir = strtoull(line + 8, NULL, 10);
      have_total = 1;
    }
  }
  fclose(f);
  return have_label && have_total ? 0 : -1;
}

static void remove_dir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char path[512];
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(dir);
}

/* Run valgrind on @p self with @p args, its output into DIR/log.
 * @return its exit status, 127 if valgrind could not be executed. */
static int run_child(const char *dir, const char *self, char *const args[])
{
  char out_opt[512], log[512];
  snprintf(out_opt, sizeof out_opt, "--callgrind-out-file=%s/cg.out", dir);
  snprintf(log, sizeof log, "%s/log", dir);
  char *argv[MAX_ARGS + 8] = {"valgrind", "--tool=callgrind", "--collect-atstart=no", out_opt,
                              (char *)self};
  size_t n = 5;
  for (size_t i = 0; args[i] && i < MAX_ARGS; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execvp(argv[0], argv);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

int instr_run(char *const args[], instr_count *out, size_t max, const char **why)
{
#ifndef BENCH_HAVE_CALLGRIND
  (void)args, (void)out, (void)max;
  *why = "built without valgrind/callgrind.h";
  return -1;
#else
  char self[512], dir[] = "/tmp/bench-instr-XXXXXX";
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0 || !mkdtemp(dir)) {
    *why = "cannot find this program or make a directory";
    return -1;
  }
  self[len] = '\0';
  int rc = run_child(dir, self, args);
  int n = 0;
  if (rc == 127) {
    *why = "valgrind not found";
  } else if (rc != 0) {
    *why = "the callgrind run failed";
  } else {
    char path[600];
    for (size_t k = 1; (size_t)n < max; k++) {
      snprintf(path, sizeof path, "%s/cg.out.%zu", dir, k);
      if (read_dump(path, &out[n]) != 0)
        break;
      n++;
    }
  }
  remove_dir(dir);
  return rc == 0 ? n : -1;
#endif
}

uint64_t instr_find(const instr_count *c, size_t n, const char *label)
{
  for (size_t i = 0; i < n; i++) {
    if (strcmp(c[i].label, label) == 0)
      return c[i].ir;
  }
  return UINT64_MAX;
}
