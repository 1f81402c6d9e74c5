// Placeholder until the collector lands (issue 5).
export {};
