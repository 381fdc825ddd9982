-- The dashboard shows the SME service platform's deliveries by county beside the plan's
-- targets, and keeps what it shows while the data generation stays (see 0024): deliveries
-- and instrument bookings now move it on too, so a server need not count them per request
-- to stay exactly as fresh.
CREATE TRIGGER service_requests_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON service_requests
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
CREATE TRIGGER instrument_bookings_data_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON instrument_bookings
    FOR EACH STATEMENT EXECUTE FUNCTION next_data_generation();
