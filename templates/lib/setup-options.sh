# ---------------------------------------------------------------------------
# setup.sh's options
# ---------------------------------------------------------------------------
AUTO_REBOOT=0
UNATTENDED=0

usage() {
  say "usage: $(basename "$0") [--dry-run] [--reboot] [--unattended]"
  say "  --dry-run     print what would change, change nothing"
  say "  --reboot      reboot by itself when a reboot is needed; setup resumes after boot"
  say "  --unattended  as the setup unit runs it: --reboot, and phases that need the network are retried"
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --dry-run) DRY_RUN=1 ;;
      --reboot) AUTO_REBOOT=1 ;;
      # The setup unit runs unattended; --first-boot and --resume are what older seeds call.
      --unattended | --first-boot | --resume) AUTO_REBOOT=1 UNATTENDED=1 ;;
      -h | --help) usage; exit 0 ;;
      *) printf 'unknown option: %s (see --help)\n' "$1" >&2; exit 2 ;;
    esac
    shift
  done
}
