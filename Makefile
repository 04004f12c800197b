# covet — the two commands a fresh Debian 12 machine needs:
#   make demo   install what is missing, build, run examples/blog on SQLite
#   make test   install what is missing, build (ASan+UBSan, the pool tests
#               with TSan, the fuzz targets), start the test servers, run
#               every test (the fuzz targets for a minute each), stop the
#               servers
#   make bench  Release build, Google Benchmark, ratio report
JOBS ?= 2
.PHONY: demo test bench setup build-dev build-tsan build-fuzz build-release install-check clean

setup:
	@bash scripts/setup

build-dev: setup
	cmake --preset dev
	cmake --build --preset dev -j$(JOBS)

build-tsan: setup
	cmake --preset tsan
	cmake --build --preset tsan -j$(JOBS)

build-fuzz: setup
	cmake --preset fuzz
	cmake --build --preset fuzz -j$(JOBS)

build-release: setup
	cmake --preset release
	cmake --build --preset release -j$(JOBS)

demo: build-release
	./build/release/examples/blog_example

test: build-dev build-tsan build-fuzz
	@bash scripts/services start
	@status=0; \
	  ctest --preset dev -j$(JOBS) || status=$$?; \
	  bash scripts/services stop; \
	  exit $$status

bench: build-release
	bash bench/run

clean:
	rm -rf build
