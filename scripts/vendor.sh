#!/usr/bin/env bash
# Refresh sqdj/static/vendor from the npm registry at the versions pinned in frontend/package.json.
# The copies are committed, so neither `make demo` nor CI needs npm. The devDependencies are for the tests only:
# axe-core (accessibility checks injected by tests/e2e/test_axe.py) goes to tests/e2e/vendor/, never served by the app.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
cp frontend/package.json "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts >/dev/null)
cp "$work/package-lock.json" frontend/package-lock.json
m="$work/node_modules"
v=sqdj/static/vendor
rm -rf "$v" && mkdir -p "$v"/{bootstrap,bootstrap-icons/fonts,htmx,swagger-ui,echarts}
cp "$m/bootstrap/dist/css/bootstrap.min.css" "$m/bootstrap/dist/js/bootstrap.bundle.min.js" "$m/bootstrap/LICENSE" "$v/bootstrap/"
cp "$m/bootstrap-icons/font/bootstrap-icons.min.css" "$m/bootstrap-icons/LICENSE" "$v/bootstrap-icons/"
cp "$m/bootstrap-icons/font/fonts/"bootstrap-icons.woff* "$v/bootstrap-icons/fonts/"
cp "$m/htmx.org/dist/htmx.min.js" "$m/htmx.org/LICENSE" "$v/htmx/"
cp "$m/swagger-ui-dist/"{swagger-ui-bundle.js,swagger-ui-standalone-preset.js,swagger-ui.css,LICENSE,NOTICE} "$v/swagger-ui/"
cp "$m/echarts/dist/echarts.min.js" "$m/echarts/LICENSE" "$m/echarts/NOTICE" "$v/echarts/"
cp "$m/zrender/LICENSE" "$v/echarts/LICENSE-zrender"  # echarts.min.js bundles zrender (BSD-3-Clause)
t=tests/e2e/vendor
rm -rf "$t" && mkdir -p "$t/axe-core"
cp "$m/axe-core/axe.min.js" "$m/axe-core/LICENSE" "$t/axe-core/"
rm -rf "$work"
du -sh "$v"
