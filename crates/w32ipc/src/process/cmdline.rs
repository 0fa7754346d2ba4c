//! Windows command lines: one string, split into arguments by the rules of the Microsoft C
//! runtime (`CommandLineToArgvW`), and joined back so that a Windows child would split it into
//! the same arguments.

/// Splits a Windows command line into arguments.
///
/// The program name (first argument) ends at the first space or tab, or is the text between
/// a leading pair of quotes; it knows no escapes. In the others, `2n` backslashes before a
/// quote give `n` backslashes and the quote opens or closes a quoted part, `2n + 1` give `n`
/// backslashes and a literal quote, other backslashes are literal, and inside quotes `""` is a
/// literal quote.
///
/// ```
/// use w32ipc::process::split_command_line;
/// assert_eq!(
///     split_command_line(r#"prog.exe "a b" c\"d e\\"f g" h"#),
///     ["prog.exe", "a b", "c\"d", r"e\f g", "h"]
/// );
/// ```
#[doc(alias = "CommandLineToArgvW")]
pub fn split_command_line(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut args = Vec::new();
    let mut i = 0;
    // The program name.
    let mut prog = String::new();
    if chars.first() == Some(&'"') {
        i = 1;
        while i < chars.len() && chars[i] != '"' {
            prog.push(chars[i]);
            i += 1;
        }
        i += 1;
    } else {
        while i < chars.len() && chars[i] != ' ' && chars[i] != '\t' {
            prog.push(chars[i]);
            i += 1;
        }
    }
    args.push(prog);
    loop {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let mut arg = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                let mut n = 0;
                while i < chars.len() && chars[i] == '\\' {
                    n += 1;
                    i += 1;
                }
                if i < chars.len() && chars[i] == '"' {
                    arg.extend(std::iter::repeat_n('\\', n / 2));
                    if n % 2 == 1 {
                        arg.push('"');
                        i += 1;
                    }
                } else {
                    arg.extend(std::iter::repeat_n('\\', n));
                }
                continue;
            }
            if c == '"' {
                if quoted && chars.get(i + 1) == Some(&'"') {
                    arg.push('"');
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i += 1;
                continue;
            }
            if !quoted && (c == ' ' || c == '\t') {
                break;
            }
            arg.push(c);
            i += 1;
        }
        args.push(arg);
    }
    args
}

/// Joins arguments into a Windows command line that [`split_command_line`] (and a Windows
/// child's C runtime) splits back into the same arguments.
///
/// ```
/// use w32ipc::process::{join_command_line, split_command_line};
/// let args = ["my prog", "a\"b", r"c\", ""];
/// let line = join_command_line(args);
/// assert_eq!(split_command_line(&line), args);
/// ```
pub fn join_command_line<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut line = String::new();
    for (k, arg) in args.into_iter().enumerate() {
        let arg = arg.as_ref();
        if k > 0 {
            line.push(' ');
        }
        if k == 0 {
            // The program name knows no escapes: quote it if it needs quoting, and that is all.
            if arg.is_empty() || arg.contains([' ', '\t']) {
                line.push('"');
                line.push_str(arg);
                line.push('"');
            } else {
                line.push_str(arg);
            }
            continue;
        }
        if !arg.is_empty() && !arg.contains([' ', '\t', '\n', '\x0b', '"']) {
            line.push_str(arg);
            continue;
        }
        line.push('"');
        let mut backslashes = 0;
        for c in arg.chars() {
            match c {
                '\\' => backslashes += 1,
                '"' => {
                    line.extend(std::iter::repeat_n('\\', backslashes * 2 + 1));
                    line.push('"');
                    backslashes = 0;
                }
                c => {
                    line.extend(std::iter::repeat_n('\\', backslashes));
                    line.push(c);
                    backslashes = 0;
                }
            }
        }
        line.extend(std::iter::repeat_n('\\', backslashes * 2));
        line.push('"');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msvcrt_examples() {
        // The examples of Microsoft's "Parsing C command-line arguments".
        let cases: &[(&str, &[&str])] = &[
            (r#"p "abc" d e"#, &["p", "abc", "d", "e"]),
            (r#"p a\\b d"e f"g h"#, &["p", r"a\\b", "de fg", "h"]),
            (r#"p a\\\"b c d"#, &["p", r#"a\"b"#, "c", "d"]),
            (r#"p a\\\\"b c" d e"#, &["p", r"a\\b c", "d", "e"]),
            (r#"p a"b"" c d"#, &["p", r#"ab" c d"#]),
            (
                r#""C:\Program Files\x.exe" 1"#,
                &[r"C:\Program Files\x.exe", "1"],
            ),
            ("p   ", &["p"]),
            (r#"p """#, &["p", ""]),
        ];
        for (line, want) in cases {
            assert_eq!(&split_command_line(line), want, "for {line}");
        }
    }

    #[test]
    fn join_round_trips() {
        let sets: &[&[&str]] = &[
            &[
                "p",
                "",
                " ",
                "\"",
                "\\",
                "\\\"",
                "a b\\",
                "tab\there",
                "x\\\\\"y",
            ],
            &["C:\\dir with space\\p.exe", "ok"],
        ];
        for args in sets {
            assert_eq!(&split_command_line(&join_command_line(*args)), args);
        }
    }
}
