//! The bundled sample texts, offered in the text picker and answered with
//! prepared replies by the demo provider.

/// One bundled sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// File stem in `samples/`, the key of its prepared demo answers.
    pub id: &'static str,
    /// Name in the picker.
    pub label: &'static str,
    /// The text.
    pub text: &'static str,
}

/// The samples, in picker order.
pub const SAMPLES: [Sample; 4] = [
    Sample {
        id: "ai-technology-article",
        label: "AI technology article",
        text: include_str!("../samples/ai-technology-article.txt"),
    },
    Sample {
        id: "business-report",
        label: "Business report",
        text: include_str!("../samples/business-report.txt"),
    },
    Sample {
        id: "healthcare-study",
        label: "Healthcare study",
        text: include_str!("../samples/healthcare-study.txt"),
    },
    Sample {
        id: "technology-news",
        label: "Technology news",
        text: include_str!("../samples/technology-news.txt"),
    },
];
