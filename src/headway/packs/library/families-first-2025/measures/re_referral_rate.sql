-- Re-referrals within 12 months: of referrals in the collection year (CIN census), the share
-- where the same child had an earlier referral in the 365 days before (any year loaded).
-- The matches are found with an inner join and then joined back on equal keys, so that DuckDB,
-- PostgreSQL and SQL Server can all hash-join it (a correlated EXISTS runs row by row on
-- PostgreSQL, and a LEFT JOIN on date ranges runs as a nested loop on DuckDB).
SELECT e.period AS period,
       CAST(SUM(CASE WHEN m.cine_person_id IS NOT NULL THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, x.cine_person_id, x.cine_referral_date
    FROM ssd_cin_episodes x
    JOIN hw_loads l ON l.load_id = x.hw_load_id
    WHERE l.source_return = 'cin_census'
      AND EXTRACT(YEAR FROM x.cine_referral_date) * 100 + EXTRACT(MONTH FROM x.cine_referral_date)
          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
) e
LEFT JOIN (
    SELECT DISTINCT b.period, b.cine_person_id, b.cine_referral_date
    FROM (
        SELECT DISTINCT l.collection_year AS period, x.cine_person_id, x.cine_referral_date
        FROM ssd_cin_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
          AND EXTRACT(YEAR FROM x.cine_referral_date) * 100 + EXTRACT(MONTH FROM x.cine_referral_date)
              BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
    ) b
    JOIN (
        SELECT DISTINCT x.cine_person_id, x.cine_referral_date
        FROM ssd_cin_episodes x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
    ) o ON o.cine_person_id = b.cine_person_id
          AND o.cine_referral_date < b.cine_referral_date
          AND date_diff('day', o.cine_referral_date, b.cine_referral_date) <= 365
) m ON m.period = e.period AND m.cine_person_id = e.cine_person_id AND m.cine_referral_date = e.cine_referral_date
GROUP BY e.period
