# Shortcuts for the scripts in scripts/ (they work without make, too).
.PHONY: demo test test-sanitize build clean
demo:
	bash scripts/demo.sh
test:
	bash scripts/test.sh
test-sanitize:
	bash scripts/test.sh --sanitize
build:
	bash scripts/build.sh
clean:
	rm -rf build build-asan build-tsan
