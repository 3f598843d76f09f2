//! Rendering the message templates with MiniJinja (server only, feature `templates`):
//! loading and checking them against sample data, and filling them in per message.

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

use super::*;
use strum::IntoEnumIterator;

/// The loaded templates, checked and ready to render.
pub struct MessageTemplates {
    env: Environment<'static>,
}

fn describe(path: &str, e: &minijinja::Error) -> String {
    let at = e.line().map(|l| format!(" line {l}")).unwrap_or_default();
    let what = e
        .detail()
        .map_or_else(|| e.kind().to_string(), str::to_owned);
    format!("{path}{at}: {what}")
}

impl MessageTemplates {
    /// Builds the templates from `(path inside the templates folder, contents)` pairs,
    /// as in `("code-sms/body.txt", "…")`, and checks each against sample data for a
    /// sample brand. Every problem found is returned, each naming its file.
    pub fn new(
        files: impl IntoIterator<Item = (String, String)>,
        public_url: &str,
    ) -> Result<Self, Vec<String>> {
        let mut env = Environment::new();
        // A misspelt blank is an error, not an empty space in a client's message.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(|out, state, value| {
            if state.auto_escape() != AutoEscape::None && !value.is_safe() {
                let text = match value.as_str() {
                    Some(s) => s.to_owned(),
                    None => value.to_string(),
                };
                out.write_str(&escape_html(&text))?;
                Ok(())
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        let mut problems = Vec::new();
        for (path, source) in files {
            if let Err(e) = env.add_template_owned(path.clone(), source) {
                problems.push(describe(&path, &e));
            }
        }
        let wanted = std::iter::once(LAYOUT.to_owned()).chain(
            Template::iter()
                .flat_map(|t| t.files().iter().map(move |f| format!("{}/{f}", t.folder()))),
        );
        for path in wanted {
            if env.get_template(&path).is_err() && !problems.iter().any(|p| p.starts_with(&path)) {
                problems.push(format!("{path}: missing"));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let templates = Self { env };
        let brand = BrandView {
            slug: "sample".into(),
            name: "Sample Brand".into(),
            color: "#334155".into(),
            support_phone: "+1 (800) 555-0199".into(),
        };
        for t in Template::iter() {
            problems.extend(templates.check(t, &brand, public_url));
        }
        if problems.is_empty() {
            Ok(templates)
        } else {
            Err(problems)
        }
    }

    /// Renders one email.
    pub fn email(&self, t: Template, blanks: &Blanks) -> Result<Email, String> {
        debug_assert!(t.is_email());
        let subject = self.part(t, "subject.txt", blanks)?;
        Ok(Email {
            // One line, however the file is laid out.
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: format!("{}\n", self.part(t, "body.txt", blanks)?),
            html: self.part(t, "body.html", blanks)?,
        })
    }

    /// Renders one text message.
    pub fn sms(&self, t: Template, blanks: &Blanks) -> Result<String, String> {
        debug_assert!(!t.is_email());
        self.part(t, "body.txt", blanks)
    }

    /// Every message rendered with sample data for `brand`, for the preview page.
    pub fn previews(
        &self,
        brand: &BrandView,
        public_url: &str,
        valid_hours: u32,
        valid_minutes: u32,
    ) -> Result<Vec<MessagePreview>, String> {
        Template::iter()
            .filter(|t| t.is_for_clients())
            .map(|t| {
                let link = sample_link(public_url);
                let blanks = sample_blanks(t, brand, &link, valid_hours, valid_minutes);
                let (subject, text, html) = if t.is_email() {
                    let e = self.email(t, &blanks)?;
                    (e.subject, e.text, Some(e.html))
                } else {
                    (String::new(), self.sms(t, &blanks)?, None)
                };
                Ok(MessagePreview {
                    folder: t.folder().into(),
                    label: t.label().into(),
                    subject,
                    text,
                    html,
                })
            })
            .collect()
    }

    fn part(&self, t: Template, file: &str, blanks: &Blanks) -> Result<String, String> {
        let path = format!("{}/{file}", t.folder());
        let template = self
            .env
            .get_template(&path)
            .map_err(|e| describe(&path, &e))?;
        let rendered = template
            .render(Value::from_serialize(blanks))
            .map_err(|e| describe(&path, &e))?;
        Ok(rendered.trim().to_owned())
    }

    /// What is wrong with one template, rendered with sample data.
    fn check(&self, t: Template, brand: &BrandView, public_url: &str) -> Vec<String> {
        let link = sample_link(public_url);
        let (hours, minutes) = (24, 10);
        let blanks = sample_blanks(t, brand, &link, hours, minutes);
        let mut problems = Vec::new();
        for file in t.files() {
            let path = format!("{}/{file}", t.folder());
            let text = match self.part(t, file, &blanks) {
                Ok(text) => text,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            if *file == "subject.txt" {
                if text.is_empty() {
                    problems.push(format!("{path}: the subject is empty"));
                }
                continue;
            }
            let mut must = Vec::new();
            // Staff know whom to ask; clients must always have the number to call.
            if t.is_for_clients() {
                must.push((
                    brand.support_phone.as_str(),
                    "the brand's support number ({{ brand.support_phone }})",
                ));
            }
            match t.must_show() {
                MustShow::Link => must.push((link.as_str(), "the link ({{ link }})")),
                MustShow::Code => must.push((sample::CODE, "the code ({{ code }})")),
                MustShow::Change => must.push((sample::CHANGE, "what changed ({{ change }})")),
                MustShow::StaffChange => {
                    must.push((sample::STAFF_CHANGE, "what changed ({{ change }})"));
                }
                MustShow::Words => {
                    must.push((sample::WORDS, "the words ({{ words }})"));
                    must.push((sample::STAFF, "who is calling ({{ staff_name }})"));
                }
                MustShow::Nothing => {}
            }
            for (needle, what) in must {
                if !text.contains(needle) {
                    problems.push(format!("{path}: must show {what}"));
                }
            }
        }
        problems
    }
}

fn sample_link(public_url: &str) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), sample::LINK_PATH)
}

fn sample_blanks<'a>(
    t: Template,
    brand: &'a BrandView,
    link: &'a str,
    valid_hours: u32,
    valid_minutes: u32,
) -> Blanks<'a> {
    let blanks = Blanks::new(brand, sample::BUSINESS, sample::CONTACT);
    match t {
        Template::PinSetupEmail | Template::PinLinkSms => {
            blanks.with_link(LinkPurpose::Setup, link, valid_hours)
        }
        Template::PinResetEmail => blanks.with_link(LinkPurpose::Reset, link, valid_hours),
        Template::CodeEmail | Template::CodeSms => blanks.with_code(sample::CODE, valid_minutes),
        Template::PinChangedEmail => blanks.with_purpose(LinkPurpose::Setup),
        Template::ContactChangedEmail | Template::ContactChangedSms => {
            blanks.with_change(sample::CHANGE)
        }
        Template::ProveItsUsEmail | Template::ProveItsUsSms => {
            blanks.with_words(sample::STAFF, sample::WORDS)
        }
        Template::StaffAccountEmail => {
            Blanks::new(brand, "", sample::STAFF).with_change(sample::STAFF_CHANGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<(String, String)> {
        let mut files = vec![(
            LAYOUT.to_owned(),
            "<p>{{ brand.name }}</p>{% block content %}{% endblock %}".to_owned(),
        )];
        for t in Template::iter() {
            let must = match t.must_show() {
                MustShow::Link => "{{ link }}",
                MustShow::Code => "{{ code }}",
                MustShow::Change => "{{ change }}",
                MustShow::Words => "{{ words }} {{ staff_name }}",
                MustShow::StaffChange => "{{ change }}",
                MustShow::Nothing => "",
            };
            for f in t.files() {
                let body = match *f {
                    "subject.txt" => "{{ brand.name }} news".to_owned(),
                    "body.html" => format!(
                        "{{% extends \"_layout.html\" %}}{{% block content %}}<a href=\"{must}\">{{{{ business }}}}</a> {{{{ brand.support_phone }}}}{{% endblock %}}"
                    ),
                    _ => format!("{must} {{{{ business }}}} {{{{ brand.support_phone }}}}"),
                };
                files.push((format!("{}/{f}", t.folder()), body));
            }
        }
        files
    }

    fn brand() -> BrandView {
        BrandView {
            slug: "compeo".into(),
            name: "Compeo".into(),
            color: "#7c3aed".into(),
            support_phone: "+1 (800) 555-0103".into(),
        }
    }

    #[test]
    fn html_is_escaped_but_links_stay_readable() {
        let t = MessageTemplates::new(files(), "http://x.example").unwrap();
        let b = brand();
        let e = t
            .email(
                Template::PinSetupEmail,
                &Blanks::new(&b, "O'Neil & <Sons>", "Ana").with_link(
                    LinkPurpose::Setup,
                    "http://x.example/pin/abc",
                    24,
                ),
            )
            .unwrap();
        assert!(
            e.html.contains("href=\"http://x.example/pin/abc\""),
            "{}",
            e.html
        );
        assert!(
            e.html.contains("O&#39;Neil &amp; &lt;Sons&gt;"),
            "{}",
            e.html
        );
        assert!(e.text.contains("O'Neil & <Sons>"), "text is not escaped");
        assert_eq!(e.subject, "Compeo news");
    }

    #[test]
    fn broken_or_incomplete_templates_are_named_with_the_problem() {
        let mut broken = files();
        broken.retain(|(p, _)| p != "code-email/subject.txt");
        for (path, body) in &mut broken {
            match path.as_str() {
                "code-sms/body.txt" => *body = "Your code. Call {{ brand.support_phone }}".into(),
                "pin-link-sms/body.txt" => *body = "{{ lnk }}".into(),
                "pin-setup-email/body.txt" => *body = "{% if %}".into(),
                _ => {}
            }
        }
        let problems = match MessageTemplates::new(broken, "http://x.example") {
            Ok(_) => panic!("expected problems"),
            Err(p) => p,
        };
        let has = |start: &str, part: &str| {
            problems
                .iter()
                .any(|p| p.starts_with(start) && p.contains(part))
        };
        assert!(
            has("pin-setup-email/body.txt line 1", "expected"),
            "{problems:#?}"
        );
        assert!(has("code-email/subject.txt", "missing"), "{problems:#?}");
        // Syntax problems are reported before rendering is tried.
        assert_eq!(problems.len(), 2, "{problems:#?}");

        let mut incomplete = files();
        for (path, body) in &mut incomplete {
            match path.as_str() {
                "code-sms/body.txt" => *body = "Your code. Call {{ brand.support_phone }}".into(),
                "pin-link-sms/body.txt" => *body = "{{ lnk }} {{ brand.support_phone }}".into(),
                _ => {}
            }
        }
        let problems = match MessageTemplates::new(incomplete, "http://x.example") {
            Ok(_) => panic!("expected problems"),
            Err(p) => p,
        };
        assert_eq!(
            problems,
            [
                "pin-link-sms/body.txt line 1: undefined value",
                "code-sms/body.txt: must show the code ({{ code }})"
            ]
        );
    }
}
