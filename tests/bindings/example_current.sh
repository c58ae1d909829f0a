# Sourced by the binding tests: check_example_is_current LABEL PRINTED CLI STORE passes when the
# README example's output PRINTED ("committed revision REV of network/prod; ...") names the
# revision that `sealstate list` (the CLI) shows as current in STORE, and fails the test otherwise.
check_example_is_current() {
  local label="$1" printed="$2" cli="$3" store="$4" rev listed
  rev="$(sed -n 's/^committed revision \([^ ]*\) of network\/prod;.*/\1/p' <<<"$printed")"
  listed="$("$cli" --root "$store" --factory network --stack prod list)"
  if [ -z "$rev" ] || [ "$listed" != "* $rev" ]; then
    echo "FAIL sealstate list printed '$listed', the README's $label example committed '$rev'" >&2
    exit 1
  fi
  echo "ok - sealstate list shows the README $label example's revision as current"
}
