//! The detector's pattern tables. Folded patterns run on [`super::normalize::fold`]ed text:
//! lowercase, single spaces between words, a space at both ends, written here in plain
//! spelling (the letter folding is applied to the pattern source when compiling). Raw
//! patterns run on the original text (delimiters and role markers need the punctuation).

/// One pattern and what a match means.
#[derive(Debug, Clone, Copy)]
pub struct Pat {
    /// Signal id.
    pub id: &'static str,
    /// How much one match adds (combined as independent evidence).
    pub weight: f32,
    /// What a match means, for people.
    pub detail: &'static str,
    /// The regex.
    pub re: &'static str,
    /// Also compile a ROT13 copy (folded patterns only), reported as `rot13-override`.
    pub rot13: bool,
}

const fn p(id: &'static str, weight: f32, detail: &'static str, re: &'static str) -> Pat {
    Pat {
        id,
        weight,
        detail,
        re,
        rot13: false,
    }
}

const fn r13(id: &'static str, weight: f32, detail: &'static str, re: &'static str) -> Pat {
    Pat {
        id,
        weight,
        detail,
        re,
        rot13: true,
    }
}

/// Patterns over folded text.
pub const FOLDED: &[Pat] = &[
    r13(
        "override-instructions",
        0.9,
        "asks to ignore/override earlier instructions",
        r" (?:ignore|ignoring|disregard|disregarding|override|overriding|bypass|bypassing|circumvent|disobey|forget|forgetting|abandon|discard|dismiss|overlook|neglect|set aside|stop following|do not follow|dont follow|no longer follow|cease following|throw out|scrap|drop)(?: [^ ]+){0,4}? (?:previous|prior|preceding|above|earlier|former|foregoing|original|initial|old|existing|current|all|any|every|your|these|those|its|system|safety|default|developer|given|programmed|standard|normal|usual|ethical|moral)(?: [^ ]+){0,2}? (?:instructions?|rules?|directions?|directives?|prompts?|guidelines?|commands?|orders|guidance|constraints|restrictions|programming|guardrails?|polic(?:y|ies)|filters?|filtering|limitations|limits|training|context|messages?|conversation|text|protocols?|ethics|principles|boundaries|safeguards|moderation|instruction set|everything) ",
    ),
    r13(
        "override-instructions",
        0.85,
        "asks to ignore what came before",
        r" (?:ignore|disregard|forget|override)(?: (?:all|everything|anything))?(?: (?:of|that|which|what))?(?: (?:the|you|i|was|were|has|have|been|is|said|written|told|stated|mentioned|given))*(?: above| before this| before that| so far| previously| until now| up to now) ",
    ),
    r13(
        "override-instructions",
        0.8,
        "forget/ignore everything",
        r" (?:(?:forget|ignore|disregard) (?:everything|all that|all of that) (?:above|before|i said|you were told|you know|you have been told|you learned|previous|prior|else|and)|(?:forget|ignore|disregard) (?:all previous|all prior|all your|about your|your training|your programming)) ",
    ),
    p(
        "override-instructions",
        0.9,
        "asks to ignore earlier instructions (other language)",
        r" (?:ignoriere|ignorier|ignorieren|vergiss|vergessen|missachte|ignora|ignore|ignorez|ignorer|olvida|olvide|oublie|oubliez|dimentica|esqueca|esquece)(?: [^ ]+){0,3}? (?:anweisungen|instruktionen|regeln|befehle|vorgaben|alles|instrucciones|reglas|indicaciones|instrucoes|regras|consignes|regles|directives|istruzioni|regole|todo|tout|tutto|tudo) ",
    ),
    p(
        "you-are-now",
        0.5,
        "tries to assign a new identity or mode",
        r" (?:you are now|youre now|you will now|you shall now|you are no longer|youre no longer|from now on you|from now on your|you have been (?:freed|released|unlocked|reprogrammed|updated)|your new (?:role|identity|name|persona|task|purpose|instructions|goal) (?:is|are)) ",
    ),
    p(
        "unrestricted-persona",
        0.8,
        "asks for an unrestricted or malicious persona",
        r" (?:you are|youre|you will be|act as|acting as|become|pretend to be|pretend you are|pretend youre|roleplay as|play the role of|simulate|you are now|now you are|respond as|picture yourself as|imagine)(?: [^ ]+){0,6}? (?:unrestricted|unfiltered|uncensored|jailbroken|evil|malicious|amoral|unethical|unbound|unshackled|unchained|rogue|without (?:any |your |content |ai |safety |ethical )*(?:restrictions|limits|limitations|rules|filters|ethics|morals|guidelines|censorship|boundaries)|with no (?:restrictions|limits|limitations|rules|filters|ethics|morals|guidelines|censorship)|no (?:restrictions|limits|limitations|rules|filters|ethics|morals|guidelines|censorship)|free (?:from|of) (?:all |any )?(?:restrictions|limits|rules|filters|guidelines)) ",
    ),
    p(
        "no-restrictions",
        0.45,
        "talks about dropping restrictions or filters",
        r" (?:no longer bound by|not bound by|unbound by|free from (?:your|all|any)|without (?:your|any) (?:safety|ethical|content)|unfiltered (?:mode|response|responses|answer|answers|output|version|ai)|uncensored (?:mode|response|responses|answer|answers|output|version|ai)|unrestricted (?:mode|response|responses|answer|answers|output|version|ai|access)|(?:turn|switch|shut) off (?:your|the) (?:filters?|safety|guardrails|restrictions|moderation)|(?:disable|remove|lift|drop) (?:your|all|any|the) (?:filters?|safety (?:filters?|guidelines|rules|measures)|guardrails|restrictions|moderation|limitations)) ",
    ),
    p(
        "bypass-safety",
        0.6,
        "asks to bypass safety rules or filters",
        r" (?:ignore|ignoring|disregard|disregarding|bypass|bypassing|circumvent|circumventing|override|overriding|skip|forget|transcend|evade|sidestep|get around|work around|break|drop|disable|disabling|turn off|switch off|lift|remove|suspend)(?: [^ ]+){0,2}? (?:(?:your|its|ai|the ai s|all|any) (?:[^ ]+ )?(?:restrictions|filters|filter|filtering|limitations|constraints|rules|limits)|safety|guidelines|guideline|training|guardrails|protective measures|safeguards|programming|ethics|censorship|moderation|safety measures|safety protocols|content screening) ",
    ),
    p(
        "unrestricted-persona",
        0.6,
        "asks for answers without restrictions",
        r" (?:proceed|respond|answer|reply|continue|operate|act|talk|speak|help me|write|behave|react)(?: [^ ]+){0,2}? (?:without|with no|free of|like|as if|as though)(?: [^ ]+){0,2}? (?:any |your |the |content |ai |safety |ethical )*(?:restrictions|restricted|constraints|limits|limitations|filters|guidelines|rules|censorship|guardrails|boundaries|dont matter|do not matter|never restricted|never existed) ",
    ),
    p(
        "prompt-extraction",
        0.85,
        "asks for the assistant's configuration or prompt",
        r" (?:disclosure|disclose|disclosing|revealing|reveals|sharing|shares|share|seeing|see|view|viewing|access|access to|transparency about|dump|condense|preface|reciting|printing|displaying|showing|expose|exposing|extract|extracting)(?: [^ ]+){0,3}? (?:your|its|their|the ai s|the assistants) (?:(?:full|entire|original|initial|hidden|secret|internal|underlying|complete|exact|confidential|concealed|actual|real|foundational|core|base|operational|operating|behavioral|behavioural|system) )*(?:prompts?|instructions|directives|guidelines|rules|initiali[sz]ation(?: text)?|configuration|configurations|config|programming|internals|parameters|constraints|restrictions|foundational text|system message|training) ",
    ),
    p(
        "prompt-reference",
        0.5,
        "refers to the assistant's own prompt or hidden configuration",
        r" (?:your (?:system |initial |hidden |original |secret )?(?:prompt|prompts|initiali[sz]ation text|system message|internals|foundational text|operational parameters|operating parameters|hidden configuration|behavioral constraints|behavioural constraints)|(?:hidden|concealed|secret|foundational|operational|operating) (?:configuration|configurations|parameters|directives|text|prompt|internals)|text initiali[sz]ed you|what initiali[sz]ed you) ",
    ),
    p(
        "special-mode",
        0.6,
        "asks for a privileged or jailbreak mode",
        r" (?:god|sudo|jailbreak|jaiibreak|dan|unrestricted|unlocked|developer|dev|evil|opposite|chaos) mode ",
    ),
    p(
        "special-mode",
        0.35,
        "mentions a debug or admin mode",
        r" (?:debug|admin|administrator|maintenance|root|override|diagnostic|test) mode ",
    ),
    p(
        "jailbreak",
        0.9,
        "DAN / do anything now",
        r" (?:do anything now|stay in character|dan (?:prompt|jailbreak)) ",
    ),
    p(
        "jailbreak",
        0.3,
        "mentions jailbreaking",
        r" (?:jailbreak|jailbreaks|jailbreaking|jailbroken|jailbreaked) ",
    ),
    r13(
        "prompt-extraction",
        0.85,
        "asks for the system prompt or hidden instructions",
        r" (?:reveal|show|print|output|display|disclose|repeat|tell|give|share|leak|dump|expose|write|list|recite|spell out|provide|reproduce|return|echo|paste|send|copy|state|read|summarize|summarise|describe|explain|translate|what (?:is|are|were|s))(?: [^ ]+){0,3}? your (?:(?:full|entire|original|initial|hidden|secret|internal|underlying|complete|exact|confidential|actual|real|first|foundational|core|base|starting|operational|governing|guiding|programmed|system|developer) )*(?:prompts?|instructions|directives|guidelines|rules|initiali[sz]ation(?: text)?|configuration|config|programming|pre ?prompt|system message|instruction set|training data|context window|operating instructions|constraints|restrictions|policies|parameters|setup|directions|guardrails|settings) ",
    ),
    r13(
        "prompt-extraction",
        0.85,
        "asks for the system prompt or hidden instructions",
        r" (?:reveal|show|print|output|display|disclose|repeat|tell|give|share|leak|dump|expose|write|list|recite|spell out|provide|reproduce|return|echo|paste|send|copy|state|read|summarize|summarise|describe|translate|what (?:is|are|were|s))(?: [^ ]+){0,3}? (?:the|its|this|my|our|any) (?:(?:full|entire|original|initial|hidden|secret|internal|underlying|complete|exact|confidential|actual|real|first|foundational|core|base|starting) )*(?:system prompt|system message|system instructions|system directives|system configuration|system rules|hidden instructions|hidden prompt|initial instructions|original instructions|initial prompt|original prompt|secret instructions|secret prompt|pre ?prompt|initiali[sz]ation (?:text|instructions|prompt)|developer (?:message|instructions|prompt)|prompt above|instructions above|text above|confidential instructions|internal instructions|foundational directives) ",
    ),
    p(
        "prompt-extraction",
        0.55,
        "asks what came before the conversation",
        r" (?:repeat|print|output|show|recite|reproduce|echo)(?: [^ ]+){0,3}? (?:everything|all|the text|the words|what was written|what is written)(?: [^ ]+){0,2}? (?:above|before|verbatim|so far|at the (?:start|beginning)) ",
    ),
    p(
        "prompt-extraction",
        0.3,
        "mentions a system prompt",
        r" (?:system prompt|system message|hidden instructions|initial instructions|initiali[sz]ation text|prompt text|pre prompt|preprompt) ",
    ),
    p(
        "new-instructions",
        0.6,
        "announces new or replacement instructions",
        r" (?:new|updated|revised|real|actual|true|additional|secret|hidden|override|overriding|priority) (?:instructions|instruction|directives|directive|system prompt|system message|orders|commands) ",
    ),
    p(
        "authority-claim",
        0.5,
        "claims developer/admin authority over the assistant",
        r" (?:i am|im|this is|as) (?:your|the|an|a) (?:developer|developers|creator|creators|administrator|admin|owner|programmer|operator|system administrator|openai|anthropic)(?: [^ ]+){0,3}? (?:i|you|authori[sz]e|instruct|command|order|override|grant|need|require|must) ",
    ),
    p(
        "authority-claim",
        0.5,
        "claims an authorised override",
        r" (?:authori[sz]ed|authori[sz]ation|admin|administrator|developer|security|maintenance|override) (?:override|code|access|clearance|token|privileges|command) ",
    ),
    p(
        "act-as",
        0.35,
        "role-play request",
        r" (?:act as|acting as|pretend to be|pretend you are|pretend youre|pretend that you|roleplay as|role play as|imagine you are|imagine youre|simulate being|behave as|you must act|play the role) ",
    ),
    p(
        "forced-compliance",
        0.5,
        "demands unconditional compliance",
        r" (?:you must (?:comply|obey|answer (?:every|all|any)|always answer|not refuse|never refuse)|you (?:cannot|cant|can not|will not|wont) refuse|(?:do not|dont|never) (?:refuse|decline|apologi[sz]e|add (?:any )?(?:warnings|disclaimers))|without (?:any )?(?:disclaimers|refusals|moralizing|moralising)) ",
    ),
    p(
        "instruction-smuggling",
        0.5,
        "addresses hidden instructions to an AI reading the text",
        r" (?:note to|message to|attention|instructions? (?:for|to)) (?:the )?(?:ai|assistant|llm|language model|chatbot|model|agent|bot|gpt|claude|chatgpt) ",
    ),
    p(
        "instruction-smuggling",
        0.55,
        "tells an AI reader what to do instead",
        r" (?:ai|assistant|llm|language model|model|agent|chatbot)s? (?:reading|processing|summari[sz]ing|parsing|analy[sz]ing) (?:this|these|the) ",
    ),
    p(
        "exfiltration",
        0.5,
        "asks to send secrets or data out",
        r" (?:send|forward|email|post|upload|exfiltrate|transmit|leak)(?: [^ ]+){0,4}? (?:api keys?|passwords?|credentials|secrets?|tokens?|env(?:ironment)? variables|private keys?|ssh keys?|customer (?:list|data|database)|conversation history|chat history|system prompt) (?:to|at|via) ",
    ),
    p(
        "exfiltration",
        0.45,
        "asks for environment secrets",
        r" (?:output|print|show|dump|list|reveal|display)(?: [^ ]+){0,3}? (?:environment variables|env vars|api keys|etc passwd|secrets|credentials|private keys) ",
    ),
];

/// Patterns over the original text (case-insensitive unless written `(?-i:...)`).
pub const RAW: &[Pat] = &[
    p(
        "delimiter-spoof",
        0.9,
        "chat-template control token",
        r"(?i)<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|end_of_turn|start_of_turn|eom_id|fim_prefix)\|>|<(?:start|end)_of_turn>",
    ),
    p(
        "delimiter-spoof",
        0.85,
        "Llama instruction / system markers",
        r"\[/?INST\]|<</?SYS>>",
    ),
    p(
        "boundary-spoof",
        0.9,
        "fake untrusted-content boundary",
        r"(?i)<\s*/?\s*untrusted_content\s*>",
    ),
    p(
        "role-spoof",
        0.45,
        "a line posing as a system/developer message",
        r"(?im)^[ \t>*_#\-]*\[?(?:system|developer|sys)(?:[ _](?:message|prompt|note|override|instructions?))?\]?[ \t]*:",
    ),
    p(
        "role-spoof",
        0.25,
        "a line posing as an assistant turn",
        r"(?im)^[ \t>*_\-]*(?:assistant|ai|bot|chatgpt|gpt|claude|model)[ \t]*:",
    ),
    p(
        "role-spoof",
        0.6,
        "markdown header posing as a system section",
        r"(?im)^[ \t]*#{1,6}[ \t]*(?:system|developer|admin|new instructions|system prompt|override)(?:[ \t]+(?:message|prompt|override|instructions?|note))?[ \t]*:?[ \t]*$",
    ),
    p(
        "role-spoof",
        0.6,
        "JSON chat message with a privileged role",
        r#"(?i)["']role["']\s*:\s*["'](?:system|developer)["']"#,
    ),
    p(
        "role-spoof",
        0.35,
        "JSON chat message with an assistant role",
        r#"(?i)["']role["']\s*:\s*["']assistant["']"#,
    ),
    p(
        "role-spoof",
        0.55,
        "XML-style system/instruction tag",
        r"(?i)<\s*/?\s*(?:system|sys|system_prompt|system-prompt|instructions|admin|developer|im_system|assistant_instructions)\s*>",
    ),
    p(
        "role-spoof",
        0.5,
        "bracketed system/admin marker",
        r"(?i)\[(?:system|admin|developer|sudo|override)(?:[ _](?:message|note|override|prompt|instructions?|command))?\]",
    ),
    p(
        "role-spoof",
        0.6,
        "upper-case system/admin override marker",
        r"(?-u:\b)(?:SYSTEM|ADMIN|DEBUG|DEVELOPER|ROOT|SUDO|OVERRIDE)[_ \-]?(?:OVERRIDE|MODE|COMMAND|PROMPT|ACCESS|INSTRUCTIONS?|NOTE|MESSAGE)(?-u:\b)",
    ),
    p(
        "role-spoof",
        0.5,
        "bracketed debug/system directive",
        r"(?i)\[\s*(?:debug|system|admin|developer|sudo|root)\s*:",
    ),
    p(
        "jailbreak",
        0.6,
        "DAN persona",
        r"(?-u:\b)(?:DAN|D\.A\.N\.?|STAN|DUDE|AIM)(?-u:\b)[ \t]*(?:mode|prompt|jailbreak|persona|,|:|which|who|stands)",
    ),
];

/// Keywords looked for in runs of spaced-out single letters (`I g n o r e`).
pub const SPACED_KEYWORDS: &[&str] = &[
    "ignore",
    "disregard",
    "instructions",
    "systemprompt",
    "jailbreak",
    "previous",
    "override",
    "forget",
    "bypass",
    "reveal",
    "password",
];
