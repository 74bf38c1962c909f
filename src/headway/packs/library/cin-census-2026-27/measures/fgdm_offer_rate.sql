-- Of children whose decision to enter pre-proceedings fell in the collection year, the share
-- offered a family group decision making meeting (CIN census 2026-27 FGDMMeetingOffer).
SELECT l.collection_year AS period,
       CAST(COUNT(DISTINCT CASE WHEN LOWER(TRIM(p.prep_fgdm_offered)) IN ('1', 'true', 'y', 'yes')
                                THEN p.prep_person_id END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(DISTINCT p.prep_person_id), 0) AS value
FROM ssd_pre_proceedings p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND EXTRACT(YEAR FROM p.prep_pre_pro_decision_date) * 100 + EXTRACT(MONTH FROM p.prep_pre_pro_decision_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
