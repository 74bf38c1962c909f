-- Of pre-proceedings in the collection year where an FGDM meeting was offered, the share where
-- the meeting was facilitated (CIN census 2026-27 FGDMMeetingFac).
SELECT l.collection_year AS period,
       CAST(SUM(CASE WHEN LOWER(TRIM(p.prep_fgdm_facilitated)) IN ('1', 'true', 'y', 'yes') THEN 1 ELSE 0 END)
            AS DOUBLE PRECISION) * 100.0 / NULLIF(COUNT(*), 0) AS value
FROM ssd_pre_proceedings p
JOIN hw_loads l ON l.load_id = p.hw_load_id
WHERE l.source_return <> 'annex_a'
  AND LOWER(TRIM(p.prep_fgdm_offered)) IN ('1', 'true', 'y', 'yes')
  AND EXTRACT(YEAR FROM p.prep_pre_pro_decision_date) * 100 + EXTRACT(MONTH FROM p.prep_pre_pro_decision_date)
      BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
GROUP BY l.collection_year
