//! A real nginx in front of real collectors, for the tests behind a proxy (`proxy.rs`,
//! `fleet.rs`): its own config, logs and temporary files in a folder of the test's, in the
//! foreground, stopped when dropped. nginx reaches the collectors from 127.0.0.2
//! (`proxy_bind`), so a test's clients (127.0.0.1, 127.0.0.3, …) are clients of their own.
//!
//! `cargo xtask test` installs nginx and names it in `NPS_NGINX`: there, a missing nginx
//! fails. A plain `cargo test` without nginx on the machine skips these, saying so.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// nginx: the one `NPS_NGINX` names (which must be there), else one on the machine.
pub fn binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NPS_NGINX") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "NPS_NGINX={} is not a file (cargo xtask test installs nginx)",
            p.display()
        );
        return Some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"].map(PathBuf::from))
        .map(|d| d.join("nginx"))
        .find(|p| p.is_file());
    if found.is_none() {
        eprintln!(
            "skipped: nginx is not installed (cargo xtask test installs it; or apt-get install nginx)"
        );
    }
    found
}

/// The first fenced ```nginx block of a document in `docs/` that contains `needle`.
pub fn doc_block(doc: &str, needle: &str) -> String {
    super::doc_block(doc, "nginx", needle)
}

/// A documented `server { … }` block's lines that are not about TLS or the name (`listen`,
/// `server_name`, `ssl_*`, `add_header`), to serve on a plain loopback port.
pub fn without_tls(server_body: &str) -> String {
    server_body
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            !["listen", "server_name", "ssl_", "add_header"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// nginx in the foreground; stopped when dropped.
pub struct Nginx {
    child: Child,
    dir: PathBuf,
}

impl Nginx {
    /// Starts nginx with these `server { … }` bodies, one per port, and waits until each
    /// port answers.
    pub fn start(binary: &Path, tag: &str, servers: &[(u16, String)]) -> Nginx {
        let blocks: String = servers
            .iter()
            .map(|(port, body)| format!("server {{\n listen 127.0.0.1:{port};\n{body}}}\n"))
            .collect();
        let ports: Vec<u16> = servers.iter().map(|(p, _)| *p).collect();
        Nginx::start_http(binary, tag, &blocks, &ports)
    }

    /// Starts nginx with this text inside `http { … }` (upstreams, servers) and waits until
    /// each of `ports` answers.
    pub fn start_http(binary: &Path, tag: &str, http: &str, ports: &[u16]) -> Nginx {
        let dir = std::env::temp_dir().join(format!("nps-nginx-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n log_format upstream '$upstream_addr $status';\n \
             access_log {d}/access.log upstream;\n client_body_temp_path {d}/body;\n \
             proxy_temp_path {d}/proxy;\n fastcgi_temp_path {d}/fastcgi;\n \
             uwsgi_temp_path {d}/uwsgi;\n scgi_temp_path {d}/scgi;\n \
             proxy_bind 127.0.0.2;\n{http}}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(binary)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx { child, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        for port in ports {
            while std::net::TcpStream::connect(("127.0.0.1", *port)).is_err() {
                if let Ok(Some(status)) = nginx.child.try_wait() {
                    panic!("nginx stopped ({status}): {}", nginx.log());
                }
                assert!(
                    Instant::now() < deadline,
                    "nginx did not come up: {}",
                    nginx.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        nginx
    }

    /// nginx's access log so far: a line per request, the collectors tried (`127.0.0.1:port`,
    /// comma separated) and the status the client got.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }

    /// nginx's error log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
