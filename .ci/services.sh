#!/usr/bin/env bash
# Makes sure the services the test suite talks to are installed and running:
# PostgreSQL (127.0.0.1:5432, trust, database test), MariaDB (127.0.0.1:3306, root without
# password, database test) and Debian's Chromium for the Explorer's browser tests.
set -euo pipefail

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  echo "services: nothing listens on port $1 after 60 s" >&2
  return 1
}

# PostgreSQL
if ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
if ! port_open 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  conf=/etc/postgresql/$version/main
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_port 5432
fi
psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='test'" | grep -q 1 ||
  psql -h 127.0.0.1 -U postgres -c 'create database test'

# MariaDB
if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then apt_install mariadb-server; fi
if ! port_open 3306; then
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1
  wait_port 3306
fi
mariadb -uroot -h127.0.0.1 --protocol=tcp -e 'create database if not exists test' 2>/dev/null ||
  mariadb -uroot -e "create database if not exists test; alter user 'root'@'localhost' identified via mysql_native_password using password(''); flush privileges;"

# Chromium for the Explorer's browser tests (Debian's, never a test tool's own download).
if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi

echo "services: postgresql, mariadb and chromium ready"
