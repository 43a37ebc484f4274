//! A scan of the documents: the README stays a first screen, and every
//! link in it and in `docs/` points at a file, and a heading, that exist.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// README.md, BENCHMARKS.md and every page in `docs/`.
fn documents() -> Vec<PathBuf> {
    let root = Path::new(ROOT);
    let mut files = vec![root.join("README.md"), root.join("BENCHMARKS.md")];
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    files.extend(pages);
    files
}

/// The text outside fenced code blocks and inline code spans.
fn prose(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            // Drop inline code: `[x](y)` there is an example, not a link.
            let mut kept = String::new();
            for (i, part) in line.split('`').enumerate() {
                if i % 2 == 0 {
                    kept.push_str(part);
                }
            }
            out.push(kept);
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped but `-`
/// and `_`, spaces as `-`; a repeated heading gets `-1`, `-2`…
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let Some(title) = line.strip_prefix('#').map(|t| t.trim_start_matches('#')) else {
            continue;
        };
        if fenced || !title.starts_with(' ') {
            continue;
        }
        let base: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut slug = base.clone();
        let mut n = 0;
        while !seen.insert(slug.clone()) {
            n += 1;
            slug = format!("{base}-{n}");
        }
    }
    seen
}

/// Every `[text](target)` and `![alt](target)` in `lines`.
fn links(lines: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for line in lines {
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_link_in_the_readme_and_docs_lands() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in documents() {
        let text = std::fs::read_to_string(&file).unwrap();
        let dir = file.parent().unwrap();
        for target in links(&prose(&text)) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            checked += 1;
            let (path, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let landed = if path.is_empty() {
                file.clone()
            } else {
                dir.join(path)
            };
            let shown = format!("{} → {target}", file.display());
            if !landed.exists() {
                broken.push(format!("{shown}: no such file"));
                continue;
            }
            if !anchor.is_empty() {
                let page = std::fs::read_to_string(&landed).unwrap_or_default();
                if !anchors(&page).contains(anchor) {
                    broken.push(format!("{shown}: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(
        checked > 40,
        "only {checked} links checked: the scan found none?"
    );
}

#[test]
fn the_checker_catches_a_broken_file_and_a_broken_heading() {
    let text = "# Title\n\n## `iamkeys report`\n\n[a](#iamkeys-report) `[b](#nowhere)`\n```\n[c](#x)\n```\n";
    let found = links(&prose(text));
    assert_eq!(found, ["#iamkeys-report"]);
    let heads = anchors(text);
    assert!(heads.contains("iamkeys-report") && heads.contains("title"));
    assert!(!heads.contains("nowhere"));
    assert!(anchors("## A\n## A\n").contains("a-1"));
}

#[test]
fn the_readme_fits_a_first_read() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines < 400,
        "README.md has {lines} lines: the rest goes to docs/"
    );
    for must in [
        "## The two commands",
        "## The first five minutes",
        "## Keybindings",
        "docs/",
    ] {
        assert!(readme.contains(must), "README.md lacks {must}");
    }
}
