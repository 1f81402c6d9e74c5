'use strict';
// FLAW (HARDCODED_SECRET, HARDCODED_PASSWORD): credentials written into the source code.
// Both values are made up for the demo; they open nothing.
const paymentApiKey = 'sk_test_DemoShopNotARealKey0000';
const adminPassword = 'Adm1n-Sh0p-2026';

// SAFE TWIN: the same settings read from the environment at start-up (no literal to leak).
const paymentApiKeyFromEnv = process.env.SHOP_PAYMENT_API_KEY ?? '';
const adminPasswordFromEnv = process.env.SHOP_ADMIN_PASSWORD ?? '';

module.exports = { paymentApiKey, adminPassword, paymentApiKeyFromEnv, adminPasswordFromEnv };
