use clap::Parser;

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
