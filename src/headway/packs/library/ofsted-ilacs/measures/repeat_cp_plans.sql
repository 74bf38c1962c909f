-- Of child protection plans that started in the collection year (CIN census), the share for a
-- child who had an earlier plan in any CIN census loaded. NumberOfPreviousCPP is not used: the
-- CIN XSD types it positiveInteger, so many LAs send 1 for a first plan.
-- The matches are found with an inner join and then joined back on equal keys, so that DuckDB,
-- PostgreSQL and SQL Server can all hash-join it (a correlated EXISTS runs row by row on
-- PostgreSQL, and a LEFT JOIN on date ranges runs as a nested loop on DuckDB).
SELECT e.period AS period,
       CAST(SUM(CASE WHEN m.cppl_person_id IS NOT NULL THEN 1 ELSE 0 END) AS DOUBLE PRECISION) * 100.0
       / NULLIF(COUNT(*), 0) AS value
FROM (
    SELECT DISTINCT l.collection_year AS period, x.cppl_person_id, x.cppl_cp_plan_start_date
    FROM ssd_cp_plans x
    JOIN hw_loads l ON l.load_id = x.hw_load_id
    WHERE l.source_return = 'cin_census'
      AND EXTRACT(YEAR FROM x.cppl_cp_plan_start_date) * 100 + EXTRACT(MONTH FROM x.cppl_cp_plan_start_date)
          BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
) e
LEFT JOIN (
    SELECT DISTINCT b.period, b.cppl_person_id, b.cppl_cp_plan_start_date
    FROM (
        SELECT DISTINCT l.collection_year AS period, x.cppl_person_id, x.cppl_cp_plan_start_date
        FROM ssd_cp_plans x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
          AND EXTRACT(YEAR FROM x.cppl_cp_plan_start_date) * 100 + EXTRACT(MONTH FROM x.cppl_cp_plan_start_date)
              BETWEEN (l.collection_year - 1) * 100 + 4 AND l.collection_year * 100 + 3
    ) b
    JOIN (
        SELECT DISTINCT x.cppl_person_id, x.cppl_cp_plan_start_date
        FROM ssd_cp_plans x
        JOIN hw_loads l ON l.load_id = x.hw_load_id
        WHERE l.source_return = 'cin_census'
    ) o ON o.cppl_person_id = b.cppl_person_id
          AND o.cppl_cp_plan_start_date < b.cppl_cp_plan_start_date
) m ON m.period = e.period AND m.cppl_person_id = e.cppl_person_id AND m.cppl_cp_plan_start_date = e.cppl_cp_plan_start_date
GROUP BY e.period
