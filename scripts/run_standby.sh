# shellcheck shell=bash
# Sourced by scripts/run for --replica: a streaming standby of the throwaway
# cluster, so pgwamp has a replica to read from. Uses scripts/run's variables
# (pg_bin, pg_home, pg_data, pg_port, pg_logical, pgpass, standby_home, logs)
# and helpers (as_pg, say, die, rel, port_busy, free_port).
#
# The standby lives in .run/pg-replica: data/ (a pg_basebackup -R of the
# cluster), its own pgpass (the server user's: walreceiver reads it, and
# .run/pgpass is not the server user's), postgresql.log and its Unix socket.
# Kept between runs like the cluster; made again when it is missing, with
# --fresh, when it is the copy of another cluster (an older .run/pg), and
# when it cannot catch up with its primary (WAL it missed was recycled).

# Its settings: the primary's (a standby refuses to start with a lower
# max_wal_senders, max_connections, ...), hot standby, and where the primary
# is today (its port may differ from when the copy was taken).
standby_options() {
  printf '%s' "-c listen_addresses=127.0.0.1 -p $standby_port -k $standby_home $pg_logical" \
    " -c hot_standby=on -c hot_standby_feedback=on" \
    " -c primary_conninfo='host=127.0.0.1 port=$pg_port user=postgres passfile=$standby_home/pgpass application_name=replica1'"
}

standby_psql() {  # over the standby's Unix socket, as the server user (peer authentication)
  as_pg psql -X -h "$standby_home" -p "$standby_port" -U postgres -d postgres -tAc "$1" 2>/dev/null
}

system_identifier() {  # of a data directory, from its control file
  as_pg "$pg_bin/pg_controldata" -D "$1" 2>/dev/null | sed -n 's/^Database system identifier: *//p'
}

# pg_basebackup into a new .run/pg-replica (the old one stopped and deleted).
make_standby() {
  as_pg "$pg_bin/pg_ctl" -D "$standby_home/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$standby_home"
  mkdir -p "$standby_home"
  [[ $(id -u) == 0 ]] && chown postgres: "$standby_home"
  chmod 700 "$standby_home"
  (umask 077; as_pg tee "$standby_home/pgpass" <"$pgpass" >/dev/null)
  say "copying the cluster into $(rel "$standby_home") (pg_basebackup, once)"
  as_pg "$pg_bin/pg_basebackup" -D "$standby_home/data" -R -X stream --checkpoint=fast \
    -d "host=127.0.0.1 port=$pg_port user=postgres passfile=$standby_home/pgpass" >"$logs/basebackup.log" 2>&1 \
    || { tail -n 20 "$logs/basebackup.log" >&2; die "pg_basebackup failed ($(rel "$logs")/basebackup.log)"; }
}

# Starts it (pg_ctl -w: returns once it accepts read-only connections).
run_standby() {
  as_pg "$pg_bin/pg_ctl" -D "$standby_home/data" -l "$standby_home/postgresql.log" -w -t 60 \
    -o "$(standby_options)" start >/dev/null
}

# Until pg_stat_wal_receiver says streaming; false after 30 s.
wait_streaming() {
  local i
  for ((i = 0; i < 300; i++)); do
    [[ $(standby_psql 'SELECT status FROM pg_stat_wal_receiver') == streaming ]] && return 0
    sleep 0.1
  done
  return 1
}

start_standby() {
  # pg_basebackup and the walreceiver connect as replication connections over
  # TCP with the cluster's password; initdb's pg_hba.conf allows that, but an
  # older or edited one may not.
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32[[:space:]]' \
       "$pg_data/pg_hba.conf"; then
    say "allowing replication connections from 127.0.0.1 in $(rel "$pg_data")/pg_hba.conf"
    printf 'host    replication     postgres        127.0.0.1/32            scram-sha-256\n' \
      | as_pg tee -a "$pg_data/pg_hba.conf" >/dev/null
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" reload >/dev/null || die "could not reload PostgreSQL's pg_hba.conf"
  fi

  standby_target="host=127.0.0.1 port=@port@ user=postgres dbname=postgres passfile=$pgpass"
  if [[ -f $standby_home/data/PG_VERSION ]] \
       && [[ $(system_identifier "$standby_home/data") != "$(system_identifier "$pg_data")" ]]; then
    say "$(rel "$standby_home") is a copy of another cluster; making it again"
    make_standby
  fi
  [[ -f $standby_home/data/PG_VERSION ]] || make_standby

  if as_pg "$pg_bin/pg_ctl" -D "$standby_home/data" status >/dev/null 2>&1; then
    # Left running by a run that was killed hard: stopped, to start again
    # with today's primary_conninfo (the primary's port may have changed).
    standby_port="$(sed -n 4p "$standby_home/data/postmaster.pid")"
    say "the standby was still running on port $standby_port; restarting it"
    as_pg "$pg_bin/pg_ctl" -D "$standby_home/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  else
    standby_port=$((pg_port + 1))
    if port_busy "$standby_port"; then
      local wanted=$standby_port
      standby_port="$(free_port)"
      say "port $wanted is busy; the standby takes $standby_port"
    fi
  fi

  local attempt
  for attempt in 1 2; do
    standby_data="$standby_home/data"  # from here on, the cleanup stops it
    if run_standby && wait_streaming; then
      say "PostgreSQL standby on 127.0.0.1:$standby_port (streaming from port $pg_port)"
      standby_target="${standby_target/@port@/$standby_port}"
      return 0
    fi
    tail -n 20 "$standby_home/postgresql.log" >&2 || true
    ((attempt == 1)) || break
    say "the standby did not start streaming; making it again"
    make_standby
  done
  die "the PostgreSQL standby did not start streaming (log: $(rel "$standby_home")/postgresql.log)"
}
