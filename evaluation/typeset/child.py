"""The child process that compiles one document: Typst source on stdin, the PDF on stdout, its warnings on stderr.

No Django here: the process starts, compiles and ends, and Typst's caches end with it (see the package's docstring).
A compile error leaves through a non-zero exit with the message on stderr's last line.
"""

import json
import sys
import tempfile


def main() -> None:
    import typst

    source = sys.stdin.buffer.read()
    try:
        with tempfile.TemporaryDirectory() as empty:  # the document's root: no file of the project can be read
            pdf, warnings = typst.compile_with_warnings(source, root=empty)
    except typst.TypstError as error:
        sys.stderr.write(f"Typst: {error}\n")
        sys.exit(1)
    sys.stdout.buffer.write(pdf)
    sys.stderr.write("\n" + json.dumps([str(w.message) for w in warnings], ensure_ascii=False) + "\n")  # the last line
