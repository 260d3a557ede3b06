"""Turn pages into records: decode, parse, repair, extract, normalize, check. Pure functions only
(``fetch_*``-style I/O lives in :mod:`flows.sources`)."""

# Bump when extraction output can change for the same page: a re-parse with a newer version
# supersedes the statements an article produced under an older one.
PARSER_VERSION = "3"  # 3: a <form> is no longer furniture (WebForms pages kept their body inside one)
