#!/usr/bin/env bash
# Services the test suite runs against: MariaDB and Redis on this machine, plus the
# tools the suite needs (Chromium for the browser test, Node.js for the web app, gcc for
# the race detector, nginx for the scale-out proxy test, make, git).
#
#   scripts/services.sh check    do MariaDB and Redis answer? (changes nothing)
#   scripts/services.sh ensure   install what is missing (Debian/Ubuntu, apt-get),
#                                start MariaDB and Redis if they do not answer, and
#                                wait for them; a quick no-op when all is running
#
# Addresses come from the same variables the tests read:
#   CHATBRIDGE_TEST_MYSQL_DSN   default root@tcp(127.0.0.1:3306)/
#   CHATBRIDGE_TEST_REDIS_ADDR  default 127.0.0.1:6379
#   CHATBRIDGE_CHROMIUM         default /usr/bin/chromium
# `ensure` only starts servers on this machine (127.0.0.1:3306 and 127.0.0.1:6379).
set -euo pipefail

MYSQL_DSN=${CHATBRIDGE_TEST_MYSQL_DSN:-root@tcp(127.0.0.1:3306)/}
REDIS_ADDR=${CHATBRIDGE_TEST_REDIS_ADDR:-127.0.0.1:6379}
CHROMIUM=${CHATBRIDGE_CHROMIUM:-/usr/bin/chromium}
WAIT_SECONDS=60
# The web app's build tools need Node.js ^20.19 or >=22.12 (web/package.json "engines").
NODE_MIN_20=19
NODE_MIN_22=12

say() { printf 'services: %s\n' "$*"; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

# --- addresses ---------------------------------------------------------------------

# user[:password]@tcp(host:port)/... -> MYSQL_USER MYSQL_PASS MYSQL_HOST MYSQL_PORT
re='^([^:@]*)(:([^@]*))?@tcp\(([^)]*)\)'
if [[ $MYSQL_DSN =~ $re ]]; then
	MYSQL_USER=${BASH_REMATCH[1]}
	MYSQL_PASS=${BASH_REMATCH[3]}
	MYSQL_HOSTPORT=${BASH_REMATCH[4]}
else
	die "CHATBRIDGE_TEST_MYSQL_DSN=$MYSQL_DSN: expected user[:password]@tcp(host:port)/"
fi
MYSQL_HOST=${MYSQL_HOSTPORT%:*}
MYSQL_PORT=${MYSQL_HOSTPORT##*:}
[[ $MYSQL_HOSTPORT == *:* ]] || MYSQL_PORT=3306
REDIS_HOST=${REDIS_ADDR%:*}
REDIS_PORT=${REDIS_ADDR##*:}

need_root() {
	[[ $(id -u) -eq 0 ]] || die "$1 is not running; starting it needs root: sudo $0 ensure"
}

is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 || $1 == '[::1]' ]]; }

# --- probes (quiet; the exit status answers) -----------------------------------------

mysql_answers() {
	command -v mariadb >/dev/null 2>&1 || return 1
	MYSQL_PWD=$MYSQL_PASS mariadb --protocol=tcp --connect-timeout=3 \
		-u"$MYSQL_USER" -h"$MYSQL_HOST" -P"$MYSQL_PORT" -e 'select 1' >/dev/null 2>&1
}

# The server process is up (it may still refuse our login).
mysql_alive() {
	command -v mariadb-admin >/dev/null 2>&1 || return 1
	mariadb-admin --connect-timeout=3 ping >/dev/null 2>&1 ||
		mariadb-admin --protocol=tcp --connect-timeout=3 -h"$MYSQL_HOST" -P"$MYSQL_PORT" ping >/dev/null 2>&1
}

redis_answers() {
	command -v redis-cli >/dev/null 2>&1 || return 1
	[[ $(timeout 5 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

node_ok() {
	local v major minor
	v=$(node --version 2>/dev/null) || return 1
	v=${v#v}
	major=${v%%.*}
	minor=${v#*.}
	minor=${minor%%.*}
	((major > 22 || (major == 22 && minor >= NODE_MIN_22) || (major == 20 && minor >= NODE_MIN_20)))
}

# wait_for NAME PROBE: polls PROBE once a second for up to WAIT_SECONDS.
wait_for() {
	local name=$1 probe=$2 i
	for ((i = 0; i < WAIT_SECONDS; i++)); do
		if "$probe"; then
			return 0
		fi
		sleep 1
	done
	say "$name did not answer within ${WAIT_SECONDS}s"
	return 1
}

# --- check ---------------------------------------------------------------------------

check() {
	local ok=0
	if mysql_answers; then
		say "MariaDB answers at $MYSQL_HOST:$MYSQL_PORT (user $MYSQL_USER)"
	else
		say "MariaDB does NOT answer at $MYSQL_HOST:$MYSQL_PORT (user $MYSQL_USER)"
		ok=1
	fi
	if redis_answers; then
		say "Redis answers at $REDIS_HOST:$REDIS_PORT"
	else
		say "Redis does NOT answer at $REDIS_HOST:$REDIS_PORT"
		ok=1
	fi
	if [[ ! -x $CHROMIUM ]]; then
		say "note: no Chromium at $CHROMIUM (set CHATBRIDGE_CHROMIUM); the browser test needs it"
	fi
	return "$ok"
}

# --- ensure --------------------------------------------------------------------------

APT_UPDATED=0
apt_install() {
	local sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
		sudo=(sudo)
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: $*"
	if ((APT_UPDATED == 0)); then
		say "apt-get update"
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		APT_UPDATED=1
	fi
	say "apt-get install $*"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends -o Dpkg::Use-Pty=0 "$@"
}

install_missing() {
	local pkgs=()
	[[ -x /usr/sbin/mariadbd ]] && command -v mariadb >/dev/null 2>&1 || pkgs+=(mariadb-server)
	command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || pkgs+=(redis-server)
	[[ -x $CHROMIUM ]] || pkgs+=(chromium fonts-liberation)
	command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
	# The load test through the scale-out proxy runs nginx with deploy/nginx's config.
	command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || pkgs+=(nginx-light)
	command -v make >/dev/null 2>&1 || pkgs+=(make)
	command -v git >/dev/null 2>&1 || pkgs+=(git)
	# go test -race needs cgo, hence a C compiler.
	command -v gcc >/dev/null 2>&1 || pkgs+=(gcc libc6-dev)
	# Go and npm fetch modules over HTTPS.
	[[ -e /etc/ssl/certs/ca-certificates.crt ]] || pkgs+=(ca-certificates)
	if ((${#pkgs[@]})); then
		apt_install "${pkgs[@]}"
	else
		say "packages: nothing to install"
	fi
	if [[ ! -x $CHROMIUM ]]; then
		die "Chromium is still missing at $CHROMIUM (CHATBRIDGE_CHROMIUM)"
	fi
	if ! node_ok; then
		die "Node.js $(node --version 2>/dev/null || echo '(none)') is too old: the web app needs ^20.${NODE_MIN_20} or >=22.${NODE_MIN_22} (Debian 12's own nodejs is 18; install a newer one)"
	fi
	command -v npm >/dev/null 2>&1 || die "npm is missing (node is $(command -v node))"
}

start_mariadb() {
	if mysql_answers; then
		say "MariaDB: already answering"
		return 0
	fi
	if ! is_local "$MYSQL_HOST"; then
		die "MariaDB at $MYSQL_HOST:$MYSQL_PORT does not answer, and it is not on this machine"
	fi
	if ! mysql_alive; then
		need_root MariaDB
		install -d -o mysql -g mysql -m 0755 /run/mysqld
		if [[ ! -d /var/lib/mysql/mysql ]]; then
			say "MariaDB: creating the system tables in /var/lib/mysql"
			install -d -o mysql -g mysql -m 0755 /var/lib/mysql
			local log
			log=$(mktemp)
			if ! mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >"$log" 2>&1; then
				cat "$log" >&2
				die "mariadb-install-db failed"
			fi
			rm -f "$log"
		fi
		say "MariaDB: starting /usr/sbin/mariadbd"
		# --user: Debian's stock configuration does not name the account to run as, and
		# mariadbd refuses to run as root.
		start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
		if ! wait_for "MariaDB" mysql_alive; then
			[[ -r /var/log/mysql/error.log ]] && tail -n 20 /var/log/mysql/error.log >&2
			die "MariaDB did not start; run /usr/sbin/mariadbd --user=mysql in a terminal to see why"
		fi
	fi
	if ! mysql_answers && [[ $MYSQL_USER == root && -z $MYSQL_PASS ]]; then
		# A fresh Debian install lets root in only through the Unix socket (as the Unix
		# root user). The tests log in over TCP without a password, as a CI database
		# does: allow that as well, for connections from this machine only.
		say "MariaDB: allowing password-less root login over TCP from this machine"
		mariadb --protocol=socket -uroot <<-'SQL' || die "could not change root's login (this needs the Unix root user)"
			ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
			CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('');
			GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;
			FLUSH PRIVILEGES;
		SQL
	fi
	wait_for "MariaDB" mysql_answers ||
		die "MariaDB runs but does not let $MYSQL_USER log in at $MYSQL_HOST:$MYSQL_PORT"
	say "MariaDB: answering at $MYSQL_HOST:$MYSQL_PORT"
}

start_redis() {
	if redis_answers; then
		say "Redis: already answering"
		return 0
	fi
	if ! is_local "$REDIS_HOST"; then
		die "Redis at $REDIS_HOST:$REDIS_PORT does not answer, and it is not on this machine"
	fi
	need_root Redis
	install -d /var/lib/redis /var/log/redis
	say "Redis: starting redis-server on port $REDIS_PORT"
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" \
		--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	if ! wait_for "Redis" redis_answers; then
		tail -n 20 /var/log/redis/ci.log >&2 || true
		die "Redis did not start"
	fi
	say "Redis: answering at $REDIS_HOST:$REDIS_PORT"
}

ensure() {
	install_missing
	start_mariadb
	start_redis
	say "ready: MariaDB $MYSQL_HOST:$MYSQL_PORT, Redis $REDIS_HOST:$REDIS_PORT, Chromium $CHROMIUM, Node.js $(node --version)"
}

case ${1:-} in
check) check ;;
ensure) ensure ;;
*)
	echo "usage: $0 ensure|check" >&2
	exit 2
	;;
esac
