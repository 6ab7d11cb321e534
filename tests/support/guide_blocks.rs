//! The shell examples of the user guides (`docs/guides/*.md`), as their tests read them: the
//! readers' requests in `tests/guides.rs`, the administrator's commands in
//! `services/suivi/tests/cli.rs` (which includes this file by path: it is another crate).

/// The shell blocks of a guide (```` ```sh ````), in order.
pub fn shell_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("```") {
            blocks.extend(block.take());
            block = (line == "```sh").then(String::new);
        } else if let Some(block) = block.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

/// Whether a shell block holds the administrator's `suivi …` commands (run on the server).
pub fn is_administrators(block: &str) -> bool {
    block.lines().any(|line| line.trim_start().starts_with("suivi "))
}
