# perconn: fork-per-connection vs thread-per-connection, measured.
# make [all] | test | mutants | bench | bench-stability | bench-client |
#      bench-overload | bench-extras | fuzz | deps | install | clean
# Variables: CC CFLAGS CPPFLAGS LDFLAGS LDLIBS PREFIX DESTDIR SANITIZE WERROR=1
#            HARDEN= (no hardening flags) V=1 (show commands)

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CFLAGS   ?= -O2 -g
CPPFLAGS ?=
LDFLAGS  ?=
LDLIBS   ?=
PROFILE  ?= quick

# Hardening, on by default; HARDEN= turns it off. _FORTIFY_SOURCE is left out
# of sanitizer builds, whose own checks it would partly hide.
HARDEN ?= -fstack-protector-strong -fPIE $(if $(SANITIZE),,-D_FORTIFY_SOURCE=2)
HARDEN_LDFLAGS ?= -pie -Wl,-z,relro,-z,now

WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ALL_CFLAGS := -std=c11 $(WARN) $(if $(WERROR),-Werror) $(HARDEN) $(CFLAGS)
ALL_CPPFLAGS := -D_GNU_SOURCE -Icommon $(CPPFLAGS)
ALL_LDFLAGS  := $(if $(HARDEN),$(HARDEN_LDFLAGS)) $(LDFLAGS)
ALL_LDLIBS   := -pthread -lm $(LDLIBS)
ifneq ($(SANITIZE),)
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

.DELETE_ON_ERROR:
.PHONY: all test test-programs test-valgrind mutants bench bench-stability bench-client bench-overload bench-extras fuzz deps install clean FORCE

COMMON_SRC  := $(wildcard common/*.c)
COMMON_OBJ  := $(COMMON_SRC:%.c=build/%.o)
LIB         := build/libperconn.a
FORK_OBJ    := $(patsubst %.c,build/%.o,$(wildcard fork_server/*.c))
THREAD_OBJ  := $(patsubst %.c,build/%.o,$(wildcard thread_server/*.c))
CLIENT_OBJ  := $(patsubst %.c,build/%.o,$(wildcard client_load/*.c))
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=bin/tests/%)
HELPER_SRC  := $(wildcard tests/helpers/*.c)
HELPER_BIN  := $(HELPER_SRC:tests/helpers/%.c=bin/tests/%)
BENCH_SRC   := $(wildcard bench/*.c)
BENCH_BIN   := $(BENCH_SRC:bench/%.c=bin/%)

PROGRAMS := bin/fork_server bin/thread_server $(if $(CLIENT_OBJ),bin/client_load) $(BENCH_BIN)

all: $(PROGRAMS)

# Objects are rebuilt whenever the compiler or its flags change (e.g. SANITIZE=).
FLAGS_LINE := $(CC) $(ALL_CFLAGS) $(ALL_CPPFLAGS) $(ALL_LDFLAGS) $(ALL_LDLIBS)
build/flags: FORCE
	@mkdir -p build
	@echo '$(FLAGS_LINE)' | cmp -s - $@ || echo '$(FLAGS_LINE)' > $@

build/%.o: %.c build/flags
	@mkdir -p $(@D)
	$(if $(Q),@echo '  CC      $<')
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The library is rebuilt when its list of members changes too: a source that
# left common/ must not linger in it.
build/lib-members: FORCE
	@mkdir -p build
	@echo '$(COMMON_OBJ)' | cmp -s - $@ || echo '$(COMMON_OBJ)' > $@

$(LIB): $(COMMON_OBJ) build/lib-members
	$(if $(Q),@echo '  AR      $@')
	$(Q)rm -f $@ && ar rcs $@ $(COMMON_OBJ)

define LINK
	@mkdir -p $(@D)
	$(if $(Q),@echo '  LD      $@')
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(EXTRA_LIBS) $(ALL_LDLIBS)
endef

bin/fork_server: $(FORK_OBJ) $(LIB)
	$(LINK)
bin/thread_server: $(THREAD_OBJ) $(LIB)
	$(LINK)
bin/client_load: $(CLIENT_OBJ) $(LIB)
	$(LINK)
$(UNIT_BIN): EXTRA_LIBS := -lcmocka
$(UNIT_BIN): bin/tests/%: build/tests/unit/%.o $(LIB)
	$(LINK)
# A unit test of a client_load module links that module too.
bin/tests/test_hist: build/client_load/hist.o
bin/tests/test_schedule: build/client_load/schedule.o
$(HELPER_BIN): bin/tests/%: build/tests/helpers/%.o $(LIB)
	$(LINK)
$(BENCH_BIN): bin/%: build/bench/%.o $(LIB)
	$(LINK)

# ---- tests ---------------------------------------------------------------
# Unit tests (cmocka) first, then the integration suite once per server binary.
# deps.sh runs first: cmocka must be present before the tests are compiled.
test:
	$(Q)./deps.sh test
	$(Q)$(MAKE) --no-print-directory all test-programs
	$(Q)tests/run.sh

test-programs: $(UNIT_BIN) $(HELPER_BIN)

# The integration suites again with every server process under valgrind's
# memcheck (children followed); any error or definite leak fails a test.
test-valgrind:
	$(Q)./deps.sh test
	$(Q)$(MAKE) --no-print-directory all test-programs
	$(Q)VALGRIND=1 tests/run.sh

# Deliberate bugs, one at a time in a scratch copy, each of which the tests
# must catch (tests/mutants.sh; a few minutes).
mutants:
	$(Q)./deps.sh test
	$(Q)tests/mutants.sh

# ---- bench ---------------------------------------------------------------
# Experiment 8 holds its idle connections with the test helper tcpcheck.
BENCH_PROGRAMS := all bin/tests/tcpcheck

bench:
	$(Q)./deps.sh bench
	$(Q)$(MAKE) --no-print-directory $(BENCH_PROGRAMS)
	$(Q)bench/run.sh $(PROFILE)

# The quick profile twice, back to back, and whether the two runs' verdicts
# agree (bench/run.sh --compare): the bench's own stability check.
bench-stability:
	$(Q)./deps.sh bench
	$(Q)$(MAKE) --no-print-directory $(BENCH_PROGRAMS)
	$(Q)bench/run.sh $(PROFILE)
	$(Q)a=$$(readlink -f results/latest) && bench/run.sh $(PROFILE) && \
	    bench/run.sh --compare "$$a" "$$(readlink -f results/latest)"

# libFuzzer harnesses of the parsers, FUZZ_SECONDS each (clang).
FUZZ_SECONDS ?= 60
fuzz:
	$(Q)./deps.sh fuzz
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS)

# client_load against wrk on Debian's nginx (the client's own yardstick), and
# the overload run (2,000 held connections plus a storm, 60 s per server).
bench-client:
	$(Q)./deps.sh bench
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/bench_client/run.sh

bench-overload:
	$(Q)./deps.sh bench
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/overload.sh

# Every measurement the README quotes outside the bench proper, each
# written with its command to results/extras/NAME.txt (bench/extras.sh;
# EXTRAS="syscalls callgrind" for some; about 13 minutes for all).
EXTRAS ?=
bench-extras:
	$(Q)./deps.sh all
	$(Q)$(MAKE) --no-print-directory all test-programs
	$(Q)bench/extras.sh $(EXTRAS)

deps:
	$(Q)./deps.sh all

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf bin build

-include $(shell find build -name '*.d' 2>/dev/null)
