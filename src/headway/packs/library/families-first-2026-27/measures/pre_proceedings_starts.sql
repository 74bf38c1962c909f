-- Children for whom a decision to enter pre-proceedings was made in the collection year
-- (CIN census 2026-27 block or the LA's SSD extract).
SELECT l.collection_year AS period,
       COUNT(DISTINCT p.prep_person_id) AS value
FROM ssd_pre_proceedings p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM p.prep_pre_pro_decision_date) * 100 + EXTRACT(MONTH FROM p.prep_pre_pro_decision_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
