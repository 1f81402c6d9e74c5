// Placeholder until the public API lands (issue 2, item 6).
export {};
