/** Twelve short organisation facts: memories for reindex and recall tests. */
export const MEMORY_FACTS = [
  'The VPN gateway is in Frankfurt',
  'Payroll runs on the 25th of each month',
  'The design team meets on Thursdays',
  'Our SLA promises 99.9 percent uptime',
  'Customer data is backed up nightly to cold storage',
  'New laptops are ordered through the IT portal',
  'The marketing budget is reviewed every quarter',
  'Support tickets must be answered within four hours',
  'The mobile app is released every two weeks',
  'Office plants are watered on Mondays',
  'The staging database is refreshed from production weekly',
  'Interns start in September',
];
