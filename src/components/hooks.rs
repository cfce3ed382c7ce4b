//! The page's test hooks (`data-testid` values), in one place: browser
//! tests and other checks drive the page through them, and `e2e/README.md`
//! says what each means (`tests/hooks.rs` checks that every one is listed
//! there). Hooks made per task, endpoint or document (`task-<id>-output`,
//! `race-<n>`, `cell-<doc>-<task>`) are built where they are drawn.

// Each constant is its own value; e2e/README.md documents its meaning.
#![allow(missing_docs)]

pub const ADD_TASK: &str = "add-task";
pub const ALLOW_PLAIN_HTTP: &str = "allow-plain-http";
pub const ANSWER: &str = "answer";
pub const API_KEY: &str = "api-key";
pub const ATTEMPT: &str = "attempt";
pub const ATTEMPTS: &str = "attempts";
pub const BAR_KEY: &str = "bar-key";
pub const BAR_MODEL: &str = "bar-model";
pub const BAR_PROVIDER: &str = "bar-provider";
pub const BASE_URL: &str = "base-url";
pub const BASE_URL_ERROR: &str = "base-url-error";
pub const BATCH_ADD_PASTED: &str = "batch-add-pasted";
pub const BATCH_API_INPUT: &str = "batch-api-input";
pub const BATCH_API_OUTPUT: &str = "batch-api-output";
pub const BATCH_API_STATUS: &str = "batch-api-status";
pub const BATCH_API_SUBMIT: &str = "batch-api-submit";
pub const BATCH_CANCEL: &str = "batch-cancel";
pub const BATCH_CLEAR: &str = "batch-clear";
pub const BATCH_CURRENT_K: &str = "batch-current-k";
pub const BATCH_DISCARD: &str = "batch-discard";
pub const BATCH_DOCS: &str = "batch-docs";
pub const BATCH_ERROR: &str = "batch-error";
pub const BATCH_EXPORT_CSV: &str = "batch-export-csv";
pub const BATCH_EXPORT_JSON: &str = "batch-export-json";
pub const BATCH_EXPORT_JSONL: &str = "batch-export-jsonl";
pub const BATCH_FIELD: &str = "batch-field";
pub const BATCH_FILES: &str = "batch-files";
pub const BATCH_FILTER: &str = "batch-filter";
pub const BATCH_H1_NOTE: &str = "batch-h1-note";
pub const BATCH_INFLIGHT: &str = "batch-inflight";
pub const BATCH_ORDER: &str = "batch-order";
pub const BATCH_OUTPUT: &str = "batch-output";
pub const BATCH_PASTE: &str = "batch-paste";
pub const BATCH_PROGRESS: &str = "batch-progress";
pub const BATCH_RESULTS: &str = "batch-results";
pub const BATCH_RESUME: &str = "batch-resume";
pub const BATCH_RESUME_OFFER: &str = "batch-resume-offer";
pub const BATCH_RETRY_FAILED: &str = "batch-retry-failed";
pub const BATCH_RUN: &str = "batch-run";
pub const BATCH_TASKS: &str = "batch-tasks";
pub const CANCEL: &str = "cancel";
pub const CAPACITY_TARGETS: &str = "capacity-targets";
pub const COMPARE_CLOSE: &str = "compare-close";
pub const COMPARE_TABLE: &str = "compare-table";
pub const COMPARE_VIEW: &str = "compare-view";
pub const CONNECTION_BAR: &str = "connection-bar";
pub const CONNECTION_ERROR: &str = "connection-error";
pub const CONNECTION_STATUS: &str = "connection-status";
pub const COPY_SUMMARY: &str = "copy-summary";
pub const COST: &str = "cost";
pub const CRITICAL_PATH: &str = "critical-path";
pub const CSP_WARNING: &str = "csp-warning";
pub const DEMO_BANNER: &str = "demo-banner";
pub const DEMO_SETTINGS: &str = "demo-settings";
pub const DEMO_SETTINGS_OPEN: &str = "demo-settings-open";
pub const DETECT_LOCAL: &str = "detect-local";
pub const DOCS_READING: &str = "docs-reading";
pub const EFFICIENCY: &str = "efficiency";
pub const ENDPOINT_1: &str = "endpoint-1";
pub const ENDPOINT_ADD: &str = "endpoint-add";
pub const ENDPOINT_ORIGIN_NOTE: &str = "endpoint-origin-note";
pub const ENDPOINTS: &str = "endpoints";
pub const ERROR_MESSAGE: &str = "error-message";
pub const EXPECTED_BAR: &str = "expected-bar";
pub const EXPECTED_DETAILS: &str = "expected-details";
pub const EXPECTED_TABLE: &str = "expected-table";
pub const EXPORT_CSV: &str = "export-csv";
pub const EXPORT_JSON: &str = "export-json";
pub const EXPORT_NOTE: &str = "export-note";
pub const EXPORT_REPORT: &str = "export-report";
pub const EXPORT_TASKS: &str = "export-tasks";
pub const FIGURES_NOTE: &str = "figures-note";
pub const FILE_INPUT: &str = "file-input";
pub const FORGET: &str = "forget";
pub const FORGET_CANCEL: &str = "forget-cancel";
pub const FORGET_CONFIRM: &str = "forget-confirm";
pub const FORGET_DURATIONS: &str = "forget-durations";
pub const FORGET_EXPLAINED: &str = "forget-explained";
pub const FORM_ERROR: &str = "form-error";
pub const HEADLINE: &str = "headline";
pub const HISTORY_CLEAR: &str = "history-clear";
pub const HISTORY_CLEAR_CANCEL: &str = "history-clear-cancel";
pub const HISTORY_CLEAR_CONFIRM: &str = "history-clear-confirm";
pub const HISTORY_CLEAR_EXPLAINED: &str = "history-clear-explained";
pub const HISTORY_CLOSE: &str = "history-close";
pub const HISTORY_COMPARE: &str = "history-compare";
pub const HISTORY_DELETE: &str = "history-delete";
pub const HISTORY_DESCENDING: &str = "history-descending";
pub const HISTORY_EMPTY: &str = "history-empty";
pub const HISTORY_ERROR: &str = "history-error";
pub const HISTORY_FILTER: &str = "history-filter";
pub const HISTORY_HEADLINE: &str = "history-headline";
pub const HISTORY_IMPORT: &str = "history-import";
pub const HISTORY_IMPORT_ERROR: &str = "history-import-error";
pub const HISTORY_IMPORT_NOTE: &str = "history-import-note";
pub const HISTORY_LIST: &str = "history-list";
pub const HISTORY_OPEN: &str = "history-open";
pub const HISTORY_ROW: &str = "history-row";
pub const HISTORY_SIZE: &str = "history-size";
pub const HISTORY_SORT: &str = "history-sort";
pub const HISTORY_SPEEDUP: &str = "history-speedup";
pub const HISTORY_TICK: &str = "history-tick";
pub const IMPORT_TASKS: &str = "import-tasks";
pub const INPUT_ERROR: &str = "input-error";
pub const INPUT_READING: &str = "input-reading";
pub const INPUT_SIZE: &str = "input-size";
pub const INPUT_TEXT: &str = "input-text";
pub const KEPT_AGREEMENT: &str = "kept-agreement";
pub const KEPT_ANSWER: &str = "kept-answer";
pub const KEPT_REASONING: &str = "kept-reasoning";
pub const KEPT_BATCH: &str = "kept-batch";
pub const KEPT_FIGURES_NOTE: &str = "kept-figures-note";
pub const KEPT_REQUESTS: &str = "kept-requests";
pub const KEY_HEADER: &str = "key-header";
pub const LANGUAGE: &str = "language";
pub const LOCAL_MISS: &str = "local-miss";
pub const LOCAL_RESULTS: &str = "local-results";
pub const LOCAL_SERVER: &str = "local-server";
pub const LOCAL_SERVER_USE: &str = "local-server-use";
pub const MODEL: &str = "model";
pub const MODEL_ERROR: &str = "model-error";
pub const MODEL_LIST: &str = "model-list";
pub const ORDER: &str = "order";
pub const ORDER_SAVING: &str = "order-saving";
pub const OVERHEAD: &str = "overhead";
pub const PART_MARK: &str = "part-mark";
pub const PER_TASK_BARS: &str = "per-task-bars";
pub const PER_TASK_TABLE: &str = "per-task-table";
pub const PHASE: &str = "phase";
pub const PLAIN_HTTP_WARNING: &str = "plain-http-warning";
pub const PRESET_NOTE: &str = "preset-note";
pub const PRICE_ERROR: &str = "price-error";
pub const PRICE_INPUT: &str = "price-input";
pub const PRICE_OUTPUT: &str = "price-output";
pub const PROMPT_CANCEL: &str = "prompt-cancel";
pub const PROMPT_INPUT: &str = "prompt-input";
pub const PROVIDER_PRESET: &str = "provider-preset";
pub const REMEMBER_KEY: &str = "remember-key";
pub const RETRY_MARK: &str = "retry-mark";
pub const RETRY_WAIT: &str = "retry-wait";
pub const RUN: &str = "run";
pub const RUN_SAVED: &str = "run-saved";
pub const RUN_VIEW: &str = "run-view";
pub const SAMPLE_SELECT: &str = "sample-select";
pub const SEND: &str = "send";
pub const SETTINGS_CLOSE: &str = "settings-close";
pub const SETTINGS_OPEN: &str = "settings-open";
pub const SETTINGS_PANEL: &str = "settings-panel";
pub const SIMULATED_LABEL: &str = "simulated-label";
pub const SPEEDUP: &str = "speedup";
pub const SPLIT_ADVICE: &str = "split-advice";
pub const SPLIT_CHECKED: &str = "split-checked";
pub const SPREAD_PARALLEL: &str = "spread-parallel";
pub const SPREAD_SEQUENTIAL: &str = "spread-sequential";
pub const STATUS: &str = "status";
pub const STREAMING: &str = "streaming";
pub const SUMMARY_TEXT: &str = "summary-text";
pub const SWEEP_CHART: &str = "sweep-chart";
pub const SWEEP_TABLE: &str = "sweep-table";
pub const TASK_FORM: &str = "task-form";
pub const TASK_FORM_CANCEL: &str = "task-form-cancel";
pub const TASK_FORM_ERROR: &str = "task-form-error";
pub const TASK_FORM_ID: &str = "task-form-id";
pub const TASK_FORM_LABEL: &str = "task-form-label";
pub const TASK_FORM_MAX_TOKENS: &str = "task-form-max-tokens";
pub const TASK_FORM_PRIORITY: &str = "task-form-priority";
pub const TASK_FORM_PROMPT: &str = "task-form-prompt";
pub const TASK_FORM_SAVE: &str = "task-form-save";
pub const TASK_FORM_STRUCTURED: &str = "task-form-structured";
pub const TASK_FORM_SYSTEM: &str = "task-form-system";
pub const TASKS_ERROR: &str = "tasks-error";
pub const TASKS_STATUS: &str = "tasks-status";
pub const TEST_CONNECTION: &str = "test-connection";
pub const THEME: &str = "theme";
pub const TIME_SAVED: &str = "time-saved";
pub const TIMELINE: &str = "timeline";
pub const TIMINGS: &str = "timings";
pub const TOKEN_PARAM: &str = "token-param";
pub const TOKENS: &str = "tokens";
pub const TOTAL_MS: &str = "total-ms";
pub const TOTAL_PARALLEL_MS: &str = "total-parallel-ms";
pub const TOTAL_SEQUENTIAL_MS: &str = "total-sequential-ms";
pub const TTFT_MS: &str = "ttft-ms";
pub const USAGE: &str = "usage";
pub const USE_API: &str = "use-api";
pub const WALL_BARS: &str = "wall-bars";
pub const WELCOME: &str = "welcome";
pub const WELCOME_COST: &str = "welcome-cost";
pub const WELCOME_DISMISS: &str = "welcome-dismiss";
pub const WELCOME_RUN_DEMO: &str = "welcome-run-demo";

pub const LANES: &str = "lanes";
pub const LANES_DETECT: &str = "lanes-detect";
pub const LANES_ERROR: &str = "lanes-error";
pub const LANES_LIST: &str = "lanes-list";
pub const LANES_NOTE: &str = "lanes-note";
pub const BATCH_POOL: &str = "batch-pool";
pub const POOL_MEMBERS: &str = "pool-members";
pub const POOL_SHARE: &str = "pool-share";
pub const POOL_NOTE: &str = "pool-note";
pub const POOL_POLICY: &str = "pool-policy";
pub const CAPACITY_RESULT: &str = "capacity-result";
pub const CAPACITY_TPOT_MS: &str = "capacity-tpot-ms";
pub const CAPACITY_E2EL_MS: &str = "capacity-e2el-ms";
pub const CAPACITY_GOODPUT: &str = "capacity-goodput";
pub const CAPACITY_GOODPUT_ERROR: &str = "capacity-goodput-error";
pub const CAPACITY_CLOSE: &str = "capacity-close";
pub const SHARE_LINK: &str = "share-link";
pub const SHARE_ANSWERS: &str = "share-answers";
pub const SHARE_INPUT: &str = "share-input";
pub const SHARE_URL: &str = "share-url";
pub const SHARE_WARNING: &str = "share-warning";
pub const SHARED_RUN: &str = "shared-run";
pub const SHARED_KEEP: &str = "shared-keep";
pub const SHARED_ERROR: &str = "shared-error";
pub const BATCH_ELSEWHERE: &str = "batch-elsewhere";
pub const BATCH_TAKE_OVER: &str = "batch-take-over";
pub const IMPORTED_RESULTS: &str = "imported-results";
pub const IMPORTED_POINT: &str = "imported-point";
pub const EXPORT_VLLM: &str = "export-vllm";
pub const STORAGE_ERROR: &str = "storage-error";
pub const STORAGE_USED: &str = "storage-used";
pub const STORAGE_FREE_UP: &str = "storage-free-up";
pub const STORAGE_FREE_BATCH: &str = "storage-free-batch";
pub const STORAGE_FREED: &str = "storage-freed";
pub const BATCH_PERSIST: &str = "batch-persist";
pub const BATCH_PAUSED: &str = "batch-paused";

/// Every hook above, for the check against `e2e/README.md`.
pub const ALL: &[&str] = &[
    ADD_TASK,
    ALLOW_PLAIN_HTTP,
    ANSWER,
    API_KEY,
    ATTEMPT,
    ATTEMPTS,
    BAR_KEY,
    BAR_MODEL,
    BAR_PROVIDER,
    BASE_URL,
    BASE_URL_ERROR,
    BATCH_ADD_PASTED,
    BATCH_API_INPUT,
    BATCH_API_OUTPUT,
    BATCH_API_STATUS,
    BATCH_API_SUBMIT,
    BATCH_CANCEL,
    BATCH_CLEAR,
    BATCH_CURRENT_K,
    BATCH_DISCARD,
    BATCH_DOCS,
    BATCH_ERROR,
    BATCH_EXPORT_CSV,
    BATCH_EXPORT_JSON,
    BATCH_EXPORT_JSONL,
    BATCH_FIELD,
    BATCH_FILES,
    BATCH_FILTER,
    BATCH_H1_NOTE,
    BATCH_INFLIGHT,
    BATCH_ORDER,
    BATCH_OUTPUT,
    BATCH_PASTE,
    BATCH_PROGRESS,
    BATCH_RESULTS,
    BATCH_RESUME,
    BATCH_RESUME_OFFER,
    BATCH_RETRY_FAILED,
    BATCH_RUN,
    BATCH_TASKS,
    CANCEL,
    CAPACITY_TARGETS,
    COMPARE_CLOSE,
    COMPARE_TABLE,
    COMPARE_VIEW,
    CONNECTION_BAR,
    CONNECTION_ERROR,
    CONNECTION_STATUS,
    COPY_SUMMARY,
    COST,
    CRITICAL_PATH,
    CSP_WARNING,
    DEMO_BANNER,
    DEMO_SETTINGS,
    DEMO_SETTINGS_OPEN,
    DETECT_LOCAL,
    DOCS_READING,
    EFFICIENCY,
    ENDPOINT_1,
    ENDPOINT_ADD,
    ENDPOINT_ORIGIN_NOTE,
    ENDPOINTS,
    ERROR_MESSAGE,
    EXPECTED_BAR,
    EXPECTED_DETAILS,
    EXPECTED_TABLE,
    EXPORT_CSV,
    EXPORT_JSON,
    EXPORT_NOTE,
    EXPORT_REPORT,
    EXPORT_TASKS,
    FIGURES_NOTE,
    FILE_INPUT,
    FORGET,
    FORGET_CANCEL,
    FORGET_CONFIRM,
    FORGET_DURATIONS,
    FORGET_EXPLAINED,
    FORM_ERROR,
    HEADLINE,
    HISTORY_CLEAR,
    HISTORY_CLEAR_CANCEL,
    HISTORY_CLEAR_CONFIRM,
    HISTORY_CLEAR_EXPLAINED,
    HISTORY_CLOSE,
    HISTORY_COMPARE,
    HISTORY_DELETE,
    HISTORY_DESCENDING,
    HISTORY_EMPTY,
    HISTORY_ERROR,
    HISTORY_FILTER,
    HISTORY_HEADLINE,
    HISTORY_IMPORT,
    HISTORY_IMPORT_ERROR,
    HISTORY_IMPORT_NOTE,
    HISTORY_LIST,
    HISTORY_OPEN,
    HISTORY_ROW,
    HISTORY_SIZE,
    HISTORY_SORT,
    HISTORY_SPEEDUP,
    HISTORY_TICK,
    IMPORT_TASKS,
    INPUT_ERROR,
    INPUT_READING,
    INPUT_SIZE,
    INPUT_TEXT,
    KEPT_AGREEMENT,
    KEPT_ANSWER,
    KEPT_REASONING,
    KEPT_BATCH,
    KEPT_FIGURES_NOTE,
    KEPT_REQUESTS,
    KEY_HEADER,
    LANGUAGE,
    LOCAL_MISS,
    LOCAL_RESULTS,
    LOCAL_SERVER,
    LOCAL_SERVER_USE,
    MODEL,
    MODEL_ERROR,
    MODEL_LIST,
    ORDER,
    ORDER_SAVING,
    OVERHEAD,
    PART_MARK,
    PER_TASK_BARS,
    PER_TASK_TABLE,
    PHASE,
    PLAIN_HTTP_WARNING,
    PRESET_NOTE,
    PRICE_ERROR,
    PRICE_INPUT,
    PRICE_OUTPUT,
    PROMPT_CANCEL,
    PROMPT_INPUT,
    PROVIDER_PRESET,
    REMEMBER_KEY,
    RETRY_MARK,
    RETRY_WAIT,
    RUN,
    RUN_SAVED,
    RUN_VIEW,
    SAMPLE_SELECT,
    SEND,
    SETTINGS_CLOSE,
    SETTINGS_OPEN,
    SETTINGS_PANEL,
    SIMULATED_LABEL,
    SPEEDUP,
    SPLIT_ADVICE,
    SPLIT_CHECKED,
    SPREAD_PARALLEL,
    SPREAD_SEQUENTIAL,
    STATUS,
    STREAMING,
    SUMMARY_TEXT,
    SWEEP_CHART,
    SWEEP_TABLE,
    TASK_FORM,
    TASK_FORM_CANCEL,
    TASK_FORM_ERROR,
    TASK_FORM_ID,
    TASK_FORM_LABEL,
    TASK_FORM_MAX_TOKENS,
    TASK_FORM_PRIORITY,
    TASK_FORM_PROMPT,
    TASK_FORM_SAVE,
    TASK_FORM_STRUCTURED,
    TASK_FORM_SYSTEM,
    TASKS_ERROR,
    TASKS_STATUS,
    TEST_CONNECTION,
    THEME,
    TIME_SAVED,
    TIMELINE,
    TIMINGS,
    TOKEN_PARAM,
    TOKENS,
    TOTAL_MS,
    TOTAL_PARALLEL_MS,
    TOTAL_SEQUENTIAL_MS,
    TTFT_MS,
    USAGE,
    USE_API,
    WALL_BARS,
    WELCOME,
    WELCOME_COST,
    WELCOME_DISMISS,
    WELCOME_RUN_DEMO,
    LANES,
    LANES_DETECT,
    LANES_ERROR,
    LANES_LIST,
    LANES_NOTE,
    BATCH_POOL,
    POOL_MEMBERS,
    POOL_SHARE,
    POOL_NOTE,
    POOL_POLICY,
    CAPACITY_RESULT,
    CAPACITY_TPOT_MS,
    CAPACITY_E2EL_MS,
    CAPACITY_GOODPUT,
    CAPACITY_GOODPUT_ERROR,
    CAPACITY_CLOSE,
    SHARE_LINK,
    SHARE_ANSWERS,
    SHARE_INPUT,
    SHARE_URL,
    SHARE_WARNING,
    SHARED_RUN,
    SHARED_KEEP,
    SHARED_ERROR,
    BATCH_ELSEWHERE,
    BATCH_TAKE_OVER,
    IMPORTED_RESULTS,
    IMPORTED_POINT,
    EXPORT_VLLM,
    STORAGE_ERROR,
    STORAGE_USED,
    STORAGE_FREE_UP,
    STORAGE_FREE_BATCH,
    STORAGE_FREED,
    BATCH_PERSIST,
    BATCH_PAUSED,
];
