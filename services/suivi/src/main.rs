use clap::Parser;

/// mimalloc rather than the system allocator: the projector and the API allocate many small,
/// short-lived objects (decoded events, rows, JSON); glibc's malloc spent a quarter of a rebuild's
/// CPU time and kept freed pages resident (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = suivi::cli::Cli::parse();
    suivi::telemetry::init(cli.log_format);
    match suivi::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("suivi: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
