fn main() -> std::process::ExitCode {
    opsgate::cli::main()
}
