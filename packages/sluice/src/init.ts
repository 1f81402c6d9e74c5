// Placeholder until init lands.
export {};
