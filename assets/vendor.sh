#!/usr/bin/env bash
# Third-party browser assets for the offline GraphiQL page, taken from the npm registry at
# pinned versions and copied into assets/vendor/ together with each package's licence.
#
#   assets/vendor.sh           fetch the pinned tarballs, check their sha512 integrity against
#                              the pins below, and (re)write assets/vendor/
#   assets/vendor.sh --check   do the same into a scratch directory and fail if the result
#                              differs from the committed assets/vendor/
#   (offline)                  cd assets/vendor && sha256sum -c SHA256SUMS
#
# Needs bash, npm, node, tar and sha256sum. Nothing here runs a package's install scripts.
#
# GraphiQL 3.9.0 is the last 3.x release; its UMD bundle reads the globals React and ReactDOM
# (React 18 here) and already contains graphql-js and the graphql-ws client, so
# GraphiQL.createFetcher({ url, subscriptionUrl }) speaks graphql-transport-ws with no other file.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/vendor"
mode="write"
case "${1:-}" in
  "") ;;
  --check) mode="check" ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# name|version|SPDX licence|tarball integrity (sha512, as the registry publishes it)|
#   space-separated "path-in-tarball:path-under-assets/vendor" pairs (the tarball's package/ prefix omitted)
PACKAGES=(
  "graphiql|3.9.0|MIT|sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA==|graphiql.min.js:graphiql/graphiql.min.js graphiql.min.css:graphiql/graphiql.min.css LICENSE:graphiql/LICENSE"
  "react|18.3.1|MIT|sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==|umd/react.production.min.js:react/react.production.min.js LICENSE:react/LICENSE"
  "react-dom|18.3.1|MIT|sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==|umd/react-dom.production.min.js:react-dom/react-dom.production.min.js LICENSE:react-dom/LICENSE"
)

for tool in npm node tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool is needed" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/out"
mkdir -p "$work/tgz" "$out"

# sha512 integrity string (sha512-<base64>) of a file, computed here rather than trusted from npm.
integrity_of() {
  node -e 'const c=require("crypto"),f=require("fs");
process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

readme_rows=""
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name version spdx pinned files <<<"$entry"
  echo "== $name@$version"
  (cd "$work/tgz" && npm pack --silent --ignore-scripts "$name@$version" >/dev/null)
  tgz="$work/tgz/${name}-${version}.tgz"
  [ -f "$tgz" ] || { echo "$0: npm pack did not produce $tgz" >&2; exit 1; }
  got="$(integrity_of "$tgz")"
  if [ "$got" != "$pinned" ]; then
    echo "$0: integrity mismatch for $name@$version" >&2
    echo "  pinned: $pinned" >&2
    echo "  got:    $got" >&2
    exit 1
  fi
  src="$work/src/$name"
  mkdir -p "$src"
  tar -xzf "$tgz" -C "$src"
  real_version="$(node -p 'require(process.argv[1]).version' "$src/package/package.json")"
  [ "$real_version" = "$version" ] || { echo "$0: $name tarball says version $real_version" >&2; exit 1; }
  real_license="$(node -p 'require(process.argv[1]).license' "$src/package/package.json")"
  [ "$real_license" = "$spdx" ] || { echo "$0: $name licence is $real_license, not $spdx" >&2; exit 1; }
  for pair in $files; do
    from="${pair%%:*}"
    to="${pair#*:}"
    [ -f "$src/package/$from" ] || { echo "$0: $name@$version has no $from" >&2; exit 1; }
    mkdir -p "$out/$(dirname "$to")"
    cp "$src/package/$from" "$out/$to"
    chmod 0644 "$out/$to"
    sum="$(sha256sum "$out/$to" | cut -d' ' -f1)"
    size="$(wc -c <"$out/$to" | tr -d ' ')"
    readme_rows+="| $name | $version | $spdx | \`package/$from\` | \`$to\` | $size | \`$sum\` |"$'\n'
  done
done

# The packages compiled into graphiql.min.js, as named by the source map shipped beside it.
bundled="$(node -e '
const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const names = new Set();
for (const s of m.sources) {
  const r = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s);
  if (r) names.add(r[1]);
}
process.stdout.write([...names].sort().join(", "));
' "$work/src/graphiql/package/graphiql.min.js.map")"

(cd "$out" && find . -type f ! -name SHA256SUMS ! -name README.md | sed 's|^\./||' | LC_ALL=C sort |
  xargs sha256sum >SHA256SUMS)

cat >"$out/README.md" <<EOF
# Vendored browser assets

Written by \`assets/vendor.sh\`; do not edit by hand. The script takes each package from the npm
registry with \`npm pack\` at the version below, checks the tarball's sha512 integrity against the
value pinned in the script, and copies only the files listed here. Check the copies offline with
\`sha256sum -c SHA256SUMS\` in this directory, or against the registry with \`assets/vendor.sh --check\`.

| package | version | licence (SPDX) | file in the tarball | copied to | bytes | sha256 |
| --- | --- | --- | --- | --- | --- | --- |
${readme_rows}
## Loading order

\`react/react.production.min.js\` (global \`React\`), then \`react-dom/react-dom.production.min.js\`
(global \`ReactDOM\`, with \`ReactDOM.createRoot\`), then \`graphiql/graphiql.min.js\` (global
\`GraphiQL\`), with \`graphiql/graphiql.min.css\` as a stylesheet. The GraphiQL bundle includes
graphql-js (\`GraphiQL.GraphQL\`) and the graphql-ws client used by
\`GraphiQL.createFetcher({ url, subscriptionUrl })\`; no other script is needed.

## What the GraphiQL bundle contains

graphiql.min.js is a single UMD bundle; according to its source map it compiles in these packages
(each under its own licence, MIT unless its package says otherwise): ${bundled}.

Its fonts (Roboto, Fira Code) and a few images are embedded in graphiql.min.css as \`data:\` URLs
(so a Content-Security-Policy needs \`font-src 'self' data:\` and \`img-src 'self' data:\`), and
the stylesheet has no \`@import\`. The script loads nothing from another origin, creates no
worker and uses neither \`eval\` nor \`new Function\`, so \`script-src 'self'\` suffices; it does
set inline styles and inserts \`<style>\` elements (\`style-src 'self' 'unsafe-inline'\`). Its only
requests are the fetcher's own (POST to \`url\`, a WebSocket to \`subscriptionUrl\`) and, when the
pointer rests on a URL string inside a response, a \`HEAD\` request to that URL for an image
preview, which \`connect-src\` may refuse harmlessly. Its last line names a source map
(\`index.umd.js.map\`) that is not copied; only browser developer tools ever ask for it.
EOF

if [ "$mode" = check ]; then
  if diff -r "$out" "$dest" >/dev/null; then
    echo "assets/vendor/ matches the pinned packages"
  else
    diff -r "$out" "$dest" | head -40 >&2 || true
    echo "$0: assets/vendor/ differs from what the pinned packages give" >&2
    exit 1
  fi
else
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -R "$out"/. "$dest"/
  echo "wrote $dest:"
  (cd "$dest" && find . -type f | LC_ALL=C sort | xargs ls -l)
fi
