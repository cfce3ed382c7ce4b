"""How small could the page's first load get with code splitting?

`make split-probe`. Scenario 5 of `make bench` misses its 250 KB (gzip)
target. The known remedy is Leptos 0.8's `#[lazy]` with wasm-split (what
`cargo leptos --split` does): parts of the wasm load only when first used.
trunk 0.21 cannot build that, so instead of rebuilding the product around
it, this probe measures what it would buy, on a copy of the working tree:

  panels     bench/split-probe/panels.patch: the five panels (settings,
             workflow, batch, prompt, history) each lazy-loaded. What stays
             in the main module is the app shell and the Leptos runtime.
  form-only  plus bench/split-probe/form-only.patch: the workflow panel
             without its results (cards, charts, exports) and without the
             run itself (engine, client): the least a first screen with a
             Run button can be.

Each is built (release, `-Clink-args=--emit-relocs`), split with
wasm-split-cli (wasm_split_cli_support, installed under .tools/ if missing),
passed through wasm-bindgen and `wasm-opt -Oz` per file, then every file is
gzipped (-9) and the first screen (shell + settings + workflow and the
shared chunks those two need, plus the CSS and index.html) is added up.
Writes bench/split_probe.json. Takes about 9 minutes on 2 cores. The
patches are against the sources as they are; when those change, `git apply`
says which hunk no longer fits and the patch needs refreshing.
Standard library only.
"""

import gzip
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPLIT_VERSION = "0.2.4"
TOOL = ROOT / ".tools" / "wasm-split" / "bin" / "wasm-split-cli"
TARGET = ROOT / "target" / "split-probe"
# Applied one after the other: form-only builds on panels.
STAGES = [("panels", "panels.patch"), ("form-only", "form-only.patch")]


def run(cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def gz(path: pathlib.Path) -> int:
    return len(gzip.compress(path.read_bytes(), 9))


def ensure_tool():
    if TOOL.exists():
        return
    run(["cargo", "install", "--locked", "wasm_split_cli_support", "--version", SPLIT_VERSION,
         "--features", "build-binary", "--root", str(TOOL.parent.parent)])


def copy_tree(dest: pathlib.Path):
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)


def loader_deps(loader: str) -> dict:
    """Split name -> the shared chunk files it needs, read from wasm-split's loader."""
    chunks = dict(re.findall(
        r'const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\./(chunk_\d+\.wasm)"',
        loader))
    deps = {}
    for m in re.finditer(r"export const __wasm_split_load_(\w+?)_\d+ = wrapAsyncCb\(makeLoad\(.*?\[([^\]]*)\]\)\)",
                         loader, re.S):
        deps[m.group(1)] = [chunks[c.strip()] for c in m.group(2).split(",") if c.strip()]
    return deps


def stage(work: pathlib.Path, name: str) -> dict:
    env = dict(os.environ, RUSTFLAGS="-Clink-args=--emit-relocs", CARGO_TARGET_DIR=str(TARGET))
    run(["cargo", "build", "--release", "--locked", "--target", "wasm32-unknown-unknown",
         "--bin", "fanout"], cwd=work, env=env)
    out = work / "out" / name
    split = work / "split" / name
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(split, ignore_errors=True)
    split.mkdir(parents=True)
    run([TOOL, "--target", "web", "--out-name", "fanout",
         TARGET / "wasm32-unknown-unknown" / "release" / "fanout.wasm", split])
    run(["wasm-bindgen", "--target", "web", "--keep-lld-exports", "--no-demangle",
         "--out-name", "fanout", "--out-dir", out, split / "fanout.wasm"])
    for f in split.iterdir():
        if f.suffix == ".js" or (f.suffix == ".wasm" and f.name != "fanout.wasm"):
            shutil.copy2(f, out / f.name)
    for f in sorted(out.glob("*.wasm")):
        run(["wasm-opt", "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", f, "-o", f])

    size = {f.name: (f.stat().st_size, gz(f)) for f in out.iterdir() if f.suffix in (".wasm", ".js")}
    deps = loader_deps((out / "__wasm_split.js").read_text())
    split_file = {s: next(f for f in size if f.startswith(f"split_{s}_")) for s in deps}
    shell = ["fanout_bg.wasm", "fanout.js", "__wasm_split.js"]
    first = shell + [split_file["lazy_settings"], split_file["lazy_workflow"]]
    first += sorted(set(deps["lazy_settings"]) | set(deps["lazy_workflow"]))
    page = {"style/main.css": gz(ROOT / "style" / "main.css"), "index.html": gz(ROOT / "index.html")}
    return {
        "shell_gzip": sum(size[f][1] for f in shell),
        "panels_gzip": {s[5:]: size[split_file[s]][1] for s in deps},
        "first_screen_gzip": sum(size[f][1] for f in first) + sum(page.values()),
        "first_screen_files": first + list(page),
        "everything_gzip": sum(v[1] for v in size.values()) + sum(page.values()),
        "files": {f: {"raw": r, "gzip": g} for f, (r, g) in sorted(size.items())},
    }


def main() -> int:
    for tool in ("cargo", "wasm-bindgen", "wasm-opt", "git"):
        if not shutil.which(tool):
            print(f"split_probe: {tool} not found (run scripts/setup.sh build)", file=sys.stderr)
            return 1
    ensure_tool()
    results = {}
    with tempfile.TemporaryDirectory(prefix="fanout-split-") as tmp:
        work = pathlib.Path(tmp)
        copy_tree(work)
        for name, patch in STAGES:
            run(["git", "apply", ROOT / "bench" / "split-probe" / patch], cwd=work)
            results[name] = stage(work, name)
    print()
    print(f"{'stage':<10} {'shell':>9} {'first screen':>13} {'everything':>11}   (KB gzip -9)")
    for name, r in results.items():
        print(f"{name:<10} {r['shell_gzip'] / 1000:9.1f} {r['first_screen_gzip'] / 1000:13.1f} "
              f"{r['everything_gzip'] / 1000:11.1f}   panels: "
              + ", ".join(f"{k} {v / 1000:.1f}" for k, v in r["panels_gzip"].items()))
    (ROOT / "bench" / "split_probe.json").write_text(json.dumps(results, indent=2) + "\n")
    print("written bench/split_probe.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
