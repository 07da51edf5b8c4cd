-- Every partner-month of the partnership: due date, files received, calendar status.
-- Status (interfaces.md, the first that applies): not_due, missing, rejected, held, late,
-- corrected, on_time. On time = arrived by the end of the due day, Europe/Rome. A rejected
-- or held file shows at once, before the due date too; only a month with no file at all
-- is not_due.
with periods as (
    select period, due_date, is_due from {{ ref('int_periods') }}
),

partners as (
    select partner_code, consortium_code, active_from, active_to from {{ ref('partners') }}
),

partner_months as (
    select partners.partner_code, partners.consortium_code, periods.*
    from partners
    cross join periods
    where (partners.active_from is null or periods.period >= partners.active_from)
        and (partners.active_to is null or periods.period <= partners.active_to)
),

submissions as (
    select
        *,
        row_number() over (
            partition by partner_code, period order by received_at, version) as arrival
    from {{ ref('stg_raw__submissions') }}
),

files as (
    select
        partner_code,
        period,
        count(*) as versions,
        min(received_at) as first_received_at,
        min(received_at) filter (where is_accepted) as first_accepted_at,
        bool_or(is_accepted) filter (where arrival = 1) as first_file_accepted,
        count(*) filter (where is_accepted) as accepted_files,
        count(*) filter (where is_held) as held_files,
        count(*) filter (where is_accepted and delivers_interventi) > 1
            or count(*) filter (where is_accepted and delivers_spese) > 1 as was_corrected
    from submissions
    group by partner_code, period
),

joined as (
    select
        partner_months.*,
        cast(cast(partner_months.due_date + interval '1 day' as timestamp)
            at time zone '{{ var("timezone", "Europe/Rome") }}' as timestamptz) as due_deadline,
        coalesce(files.versions, 0) as versions,
        files.first_received_at,
        files.first_accepted_at,
        coalesce(files.first_file_accepted, false) as first_file_accepted,
        coalesce(files.accepted_files, 0) > 0 as has_accepted,
        coalesce(files.held_files, 0) as held_files,
        coalesce(files.was_corrected, false) as was_corrected
    from partner_months
    left join files
        on partner_months.partner_code = files.partner_code
        and partner_months.period = files.period
)

select
    *,
    has_accepted and first_accepted_at < due_deadline as accepted_on_time,
    case
        when versions = 0 and not is_due then 'not_due'
        when versions = 0 then 'missing'
        when not has_accepted then 'rejected'
        when held_files > 0 then 'held'
        when first_accepted_at >= due_deadline then 'late'
        when was_corrected then 'corrected'
        else 'on_time'
    end as status
from joined
