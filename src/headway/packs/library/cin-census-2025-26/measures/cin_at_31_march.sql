-- Children in need at 31 March (CIN census): distinct children with an episode of need open at
-- the reference date.
SELECT l.collection_year AS period,
       COUNT(DISTINCT e.cine_person_id) AS value
FROM ssd_cin_episodes e
JOIN hw_loads l ON l.load_id = e.hw_load_id
WHERE l.source_return = 'cin_census'
  AND EXTRACT(YEAR FROM e.cine_referral_date) * 100 + EXTRACT(MONTH FROM e.cine_referral_date) <= l.collection_year * 100 + 3
  AND (e.cine_close_date IS NULL
       OR EXTRACT(YEAR FROM e.cine_close_date) * 100 + EXTRACT(MONTH FROM e.cine_close_date) > l.collection_year * 100 + 3)
GROUP BY l.collection_year
