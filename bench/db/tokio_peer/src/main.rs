//! db_bench's tokio-postgres peer: `concurrency` callers over `pool`
//! tokio-postgres clients on one thread (current_thread runtime), each caller
//! issuing its next query when the previous one answered. tokio-postgres
//! pipelines the concurrent queries of one client, like db::Pool.
//!
//!   tokio_peer --dsn CONNINFO --workload now|join --mode prepared|unnamed
//!              [--concurrency 64] [--pool 8] [--seconds 10] [--warmup 1]
//!
//! prepared: each client prepares the statement once (Client::prepare) and
//! runs it by name. unnamed: Client::query_typed, the unnamed statement
//! parsed and planned for every query (no extra round trip).
//! Prints one JSON object (db_bench reads the last stdout line).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tokio_postgres::types::Type;
use tokio_postgres::{Client, NoTls, Statement};

struct Args {
    dsn: String,
    workload: String,
    mode: String,
    concurrency: usize,
    pool: usize,
    seconds: f64,
    warmup: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        dsn: String::new(),
        workload: "now".into(),
        mode: "prepared".into(),
        concurrency: 64,
        pool: 8,
        seconds: 10.0,
        warmup: 1.0,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let v = argv.get(i + 1).cloned().ok_or(format!("{} needs a value", argv[i]))?;
        let name = argv[i].clone();
        let bad = |_why: String| format!("bad value for {name}");
        match argv[i].as_str() {
            "--dsn" => a.dsn = v,
            "--workload" => a.workload = v,
            "--mode" => a.mode = v,
            "--concurrency" => a.concurrency = v.parse().map_err(|e: std::num::ParseIntError| bad(e.to_string()))?,
            "--pool" => a.pool = v.parse().map_err(|e: std::num::ParseIntError| bad(e.to_string()))?,
            "--seconds" => a.seconds = v.parse().map_err(|e: std::num::ParseFloatError| bad(e.to_string()))?,
            "--warmup" => a.warmup = v.parse().map_err(|e: std::num::ParseFloatError| bad(e.to_string()))?,
            other => return Err(format!("unknown option {other}")),
        }
        i += 2;
    }
    if a.dsn.is_empty() {
        return Err("--dsn is required".into());
    }
    Ok(a)
}

fn cpu_seconds() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(ru.ru_utime) + s(ru.ru_stime)
}

// The same statements as db_bench.cpp (kept in step by hand).
const NOW_SQL: &str = "SELECT now()";
const JOIN_SQL: &str = "SELECT a.id, a.name, b.amount FROM bench_join_a a JOIN bench_join_b b ON b.a_id = a.id WHERE a.id = $1";
const JOIN_KEYS: i32 = 1000;

#[derive(Default)]
struct Stats {
    queries: u64,
    errors: u64,
    first_error: Option<String>,
    latency_us: Vec<f64>,
}

async fn caller(
    client: Rc<Client>,
    stmt: Option<Statement>,
    args: Rc<Args>,
    stats: Rc<RefCell<Stats>>,
    measure_from: Instant,
    until: Instant,
    seed: i32,
) {
    let join = args.workload == "join";
    let mut key = seed;
    loop {
        let t0 = Instant::now();
        if t0 >= until {
            return;
        }
        key = key % JOIN_KEYS + 1;
        let r = match (&stmt, join) {
            (Some(s), false) => client.query(s, &[]).await,
            (Some(s), true) => client.query(s, &[&key]).await,
            (None, false) => client.query_typed(NOW_SQL, &[]).await,
            (None, true) => client.query_typed(JOIN_SQL, &[(&key, Type::INT4)]).await,
        };
        if t0 >= measure_from {
            let mut st = stats.borrow_mut();
            match r {
                Ok(_) => {
                    st.queries += 1;
                    st.latency_us.push(t0.elapsed().as_secs_f64() * 1e6);
                }
                Err(e) => {
                    st.errors += 1;
                    if st.first_error.is_none() {
                        st.first_error = Some(e.to_string());
                    }
                }
            }
        }
    }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v[(p * (v.len() - 1) as f64) as usize]
}

fn skipped(reason: &str) {
    println!("{{\"skipped\": {:?}}}", reason);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = match parse_args() {
        Ok(a) => Rc::new(a),
        Err(e) => {
            eprintln!("tokio_peer: {e}");
            std::process::exit(2);
        }
    };
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            let sql = if args.workload == "join" { JOIN_SQL } else { NOW_SQL };
            let mut clients = Vec::new();
            let mut stmts = Vec::new();
            for _ in 0..args.pool {
                let (client, conn) = match tokio_postgres::connect(&args.dsn, NoTls).await {
                    Ok(c) => c,
                    Err(e) => return skipped(&format!("cannot connect: {e}")),
                };
                tokio::task::spawn_local(async move {
                    let _ = conn.await;
                });
                if args.mode == "prepared" {
                    match client.prepare(sql).await {
                        Ok(s) => stmts.push(Some(s)),
                        Err(e) => return skipped(&format!("cannot prepare: {e}")),
                    }
                } else {
                    stmts.push(None);
                }
                clients.push(Rc::new(client));
            }
            let stats = Rc::new(RefCell::new(Stats::default()));
            stats.borrow_mut().latency_us.reserve((args.seconds * 300_000.0) as usize);
            let measure_from = Instant::now() + Duration::from_secs_f64(args.warmup);
            let until = measure_from + Duration::from_secs_f64(args.seconds);
            let mut tasks = Vec::new();
            for i in 0..args.concurrency {
                let k = i % args.pool;
                tasks.push(tokio::task::spawn_local(caller(
                    clients[k].clone(),
                    stmts[k].clone(),
                    args.clone(),
                    stats.clone(),
                    measure_from,
                    until,
                    (i as i32) * 97,
                )));
            }
            tokio::time::sleep_until(measure_from.into()).await;
            let cpu0 = cpu_seconds();
            let t0 = Instant::now();
            for t in tasks {
                let _ = t.await;
            }
            let elapsed = t0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            let mut st = stats.borrow_mut();
            st.latency_us.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let q = st.queries.max(1) as f64;
            println!(
                "{{\"queries\": {}, \"errors\": {}, \"seconds\": {}, \"cpu_seconds\": {}, \"qps\": {}, \"cpu_us_per_query\": {}, \"p50_us\": {}, \"p99_us\": {}, \"first_error\": {}}}",
                st.queries,
                st.errors,
                elapsed,
                cpu,
                st.queries as f64 / elapsed,
                cpu * 1e6 / q,
                percentile(&st.latency_us, 0.5),
                percentile(&st.latency_us, 0.99),
                match &st.first_error {
                    Some(e) => format!("{:?}", e),
                    None => "null".into(),
                }
            );
        })
        .await;
}
