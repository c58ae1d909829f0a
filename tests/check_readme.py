#!/usr/bin/env python3
"""Fails unless README.md's ```cpp, ```c, ```python and ```go blocks show, in order, the files below
verbatim, so each of the README's examples is exactly the code the build compiles and the test
suite runs."""
import pathlib
import re
import sys

# The README's ```cpp, ```c, ```python and ```go blocks, in order, and the file each one shows.
EXAMPLES = [
    "examples/readme_example.cc",  # Embedding (the readme-example test runs it)
    "examples/readme_example_c.c",  # From C (the readme-example-c and c-api-installed tests)
    "examples/readme_example.py",  # From Python (the python-binding test)
    "examples/readme_example_go/main.go",  # From Go (the go-binding test)
    "tests/out_of_tree/backend_test.cc",  # Testing your backend (the out-of-tree-backend test)
]

root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text()
blocks = []
for opening in re.finditer(r"^```(?:cpp|c|python|go)\n", readme, re.MULTILINE):
    end = readme.find("\n```", opening.end() - 1)
    if end < 0:
        sys.exit("README.md has an unterminated ```cpp, ```c, ```python or ```go block")
    blocks.append(readme[opening.end():end])
if len(blocks) != len(EXAMPLES):
    sys.exit(f"README.md has {len(blocks)} ```cpp, ```c, ```python and ```go blocks, expected {len(EXAMPLES)} ({', '.join(EXAMPLES)})")
for shown, path in zip(blocks, EXAMPLES):
    if shown != (root / path).read_text().rstrip():
        sys.exit(f"README.md's example differs from {path}; copy the file into the README")
print("README examples match " + ", ".join(EXAMPLES))
