#!/bin/sh
# A stand-in for one command in the behaviour tests (tests/behaviour/):
# every command name on the test's PATH is a link to this script. It logs
# its name, arguments, working directory and exported environment, fails
# when told to, and otherwise does nothing, or runs the real tool when that
# cannot touch anything outside the temporary root.
#
# STUB_LOG    file the log records are appended to
# STUB_STATE  directory for the environment files and the failure counter
# STUB_ROOT   the temporary directory that stands in for /
# STUB_REAL   directory of links to the real tools
# STUB_US, STUB_GS, STUB_RS  the control characters \037, \035, \036
# STUB_FAIL_ARGV, STUB_FAIL_AT  fail (exit status 1) the STUB_FAIL_AT-th
#             invocation whose name and arguments, each followed by \037,
#             are STUB_FAIL_ARGV
#
# Nothing here forks but the real tools: a build runs many commands.
name=${0##*/}
fields=$name$STUB_US
for arg; do
    fields=$fields$arg$STUB_US
done
# The environment goes to a file of its own; the record names it. One
# printf is one write, so the records of commands running at the same time
# (a pipeline) do not interleave.
env_file=$STUB_STATE/env.$$
while [ -e "$env_file" ]; do
    env_file=$env_file+
done
export -p > "$env_file"
printf '%s%s%s%s%s%s' "$fields" "$STUB_GS" "$PWD" "$STUB_GS" "${env_file##*/}" "$STUB_RS" >> "$STUB_LOG"
if [ "$fields" = "${STUB_FAIL_ARGV-}" ]; then
    count=0
    if [ -f "$STUB_STATE/fail-count" ]; then
        read -r count < "$STUB_STATE/fail-count"
    fi
    count=$((count + 1))
    echo "$count" > "$STUB_STATE/fail-count"
    if [ "$count" = "$STUB_FAIL_AT" ]; then
        exit 1
    fi
fi
case $name in
    # Tools that only read files and write standard output: the real ones,
    # so that pipelines and conditions compute what they would.
    cat | grep | egrep | fgrep | head | tail | cut | tr | sort | uniq | wc | \
        basename | dirname | expr | seq | ls | readlink | realpath | xargs | \
        env | nice | nohup | timeout)
        exec "$STUB_REAL/$name" "$@"
        ;;
    # Wrappers: run the wrapped command (its own stub logs it).
    sudo)
        while [ $# -gt 0 ]; do
            case $1 in
                -u | -g | -C | -D | -h | -p | -r | -t | -U) shift 2 ;;
                --) shift; break ;;
                -*) shift ;;
                *) break ;;
            esac
        done
        [ $# -gt 0 ] && exec "$@"
        exit 0
        ;;
    gosu | su-exec)
        shift
        [ $# -gt 0 ] && exec "$@"
        exit 0
        ;;
    # Tools that change files: the real ones only when every operand is
    # inside the temporary root; otherwise they do nothing (and succeed, as
    # they would in an image). Never anything outside the root.
    rm | rmdir | mkdir | cp | mv | ln | touch | chmod | tee | install) ;;
    *) exit 0 ;;
esac
inside=yes
options_done=
for arg; do
    if [ -z "$options_done" ]; then
        case $arg in
            --) options_done=yes; continue ;;
            -?*) continue ;;
        esac
    fi
    case $arg in
        /*) path=$arg ;;
        *) path=$PWD/$arg ;;
    esac
    case $path in
        */.. | */../*) path=$("$STUB_REAL/realpath" -m -- "$path") ;;
    esac
    case $path in
        "$STUB_ROOT" | "$STUB_ROOT"/*) ;;
        *) inside=no ;;
    esac
done
if [ "$inside" = yes ]; then
    exec "$STUB_REAL/$name" "$@"
fi
if [ "$name" = tee ]; then
    exec "$STUB_REAL/cat"
fi
exit 0
