//! A real PostgreSQL server for a test: Debian's `postgresql` package (`cargo xtask test`
//! installs it), a fresh cluster in a temporary folder (`initdb`), listening on a free
//! loopback port. Nothing is skipped: without the binaries the test fails, saying how to
//! install them.
//!
//! PostgreSQL refuses to run as root: as root, the cluster is made and run as the
//! `postgres` user (or `nobody`), the folder given to it. The server is stopped when its
//! handle is dropped, and also when the test process ends however it ends (the parent-death
//! signal), so no server outlives its tests.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A running server; stopped (fast shutdown) and its folder removed when dropped.
pub struct Postgres {
    pub port: u16,
    pid: u32,
    dir: PathBuf,
    keeper: Option<std::thread::JoinHandle<()>>,
    databases: AtomicUsize,
}

/// Where the server's binaries are: `NPS_PG_BIN`, else Debian's folder of the newest version.
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("NPS_PG_BIN") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.join("initdb").is_file() && dir.join("postgres").is_file(),
            "NPS_PG_BIN={} has no initdb and postgres (cargo xtask test installs PostgreSQL)",
            dir.display()
        );
        return dir;
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .filter(|d| d.join("postgres").is_file())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed: these tests start a real server from \
                 /usr/lib/postgresql/<version>/bin (initdb, postgres). `cargo xtask test` \
                 installs it; or apt-get install -y postgresql (or set NPS_PG_BIN)"
            )
        })
}

/// The user and group the server runs as: ours, or as root `postgres` (else `nobody`).
fn run_as() -> Option<(u32, u32)> {
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let find = |name: &str| {
        passwd.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.first() != Some(&name) || f.len() < 4 {
                return None;
            }
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        })
    };
    Some(
        find("postgres")
            .or_else(|| find("nobody"))
            .expect("neither a postgres nor a nobody user to run PostgreSQL as (it refuses root)"),
    )
}

/// A command as the server's user, stopped when the thread that starts it ends.
fn command(program: &Path, user: Option<(u32, u32)>) -> Command {
    let mut c = Command::new(program);
    if let Some((uid, gid)) = user {
        c.uid(uid).gid(gid);
    }
    // SAFETY: prctl is async-signal-safe; it only sets this child's parent-death signal.
    unsafe {
        c.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    c
}

/// Removes the folders of servers whose test process has ended (a shared server's folder is
/// never dropped).
fn sweep() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix("nps-pg-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn chown_all(dir: &Path, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(dir, Some(uid), Some(gid)).unwrap();
    }
}

impl Postgres {
    /// Makes a cluster and starts its server; returns once it takes connections.
    pub fn start() -> Postgres {
        static N: AtomicUsize = AtomicUsize::new(0);
        let bin = bin_dir();
        let user = run_as();
        sweep();
        let dir = std::env::temp_dir().join(format!(
            "nps-pg-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        chown_all(&dir, user);
        let data = dir.join("data");
        let out = command(&bin.join("initdb"), user)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = super::process::free_port();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        chown_all(&dir.join("server.log"), user);
        let mut server = command(&bin.join("postgres"), user);
        server
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .args(["-p", &port.to_string()])
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=200",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // The server's parent is a thread that lives as long as the server: the parent-death
        // signal stops the server with the test process, not with the test's thread.
        let (tx, rx) = std::sync::mpsc::channel();
        let keeper = std::thread::spawn(move || {
            let mut child = server.spawn().expect("start postgres");
            tx.send(child.id()).unwrap();
            let _ = child.wait();
        });
        let pid = rx.recv().expect("postgres started");
        let pg = Postgres {
            port,
            pid,
            dir,
            keeper: Some(keeper),
            databases: AtomicUsize::new(0),
        };
        pg.wait_ready(&bin);
        pg
    }

    fn wait_ready(&self, bin: &Path) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ok {
                return;
            }
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            assert!(
                Instant::now() < deadline && self.keeper.as_ref().is_some_and(|k| !k.is_finished()),
                "PostgreSQL did not come up on port {}: {log}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The URL of a database on this server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A fresh, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::SeqCst));
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(&name)
    }

    /// Runs SQL with psql on a database of this server; what it printed (unaligned, no
    /// headers).
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let out = Command::new(bin_dir().join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url(database),
            ])
            .args(["-c", sql])
            .output()
            .expect("run psql");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // SAFETY: kill only signals the server this handle started.
        unsafe {
            libc::kill(self.pid as i32, libc::SIGINT);
        }
        if let Some(k) = self.keeper.take() {
            let _ = k.join();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One server for a whole test binary (each test takes a `database()` of its own); it stops
/// when the test process ends.
pub fn shared() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(Postgres::start)
}
